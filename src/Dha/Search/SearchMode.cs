namespace Dha.Search;

/// <summary>
/// Which learners step besides the network weights: the paper's ablation grid, run by one trainer on equal budgets.
/// The architecture (one-stage ISTA) is always searched.
/// </summary>
public enum SearchMode
{
    /// <summary>Architecture, augmentation policy and hyper-parameters together: DHA.</summary>
    Dha,

    /// <summary>Architecture only: SGD at a fixed learning rate and weight decay, standard flip + cutout.</summary>
    Nas,

    /// <summary>Architecture and the learned augmentation policy; fixed learning rate and weight decay.</summary>
    NasDa,

    /// <summary>Architecture and hyper-parameters by hypergradient; standard flip + cutout.</summary>
    NasHpo,
}

/// <summary>Text names of <see cref="SearchMode"/> as the CLI and the config file spell them.</summary>
public static class SearchModes
{
    private static readonly (SearchMode Mode, string Text)[] Names =
    [
        (SearchMode.Dha, "dha"),
        (SearchMode.Nas, "nas"),
        (SearchMode.NasDa, "nas+da"),
        (SearchMode.NasHpo, "nas+hpo"),
    ];

    public static IEnumerable<string> All => Names.Select(n => n.Text);

    public static string ToText(this SearchMode mode) => Names.First(n => n.Mode == mode).Text;

    public static SearchMode Parse(string text) =>
        Names.Where(n => n.Text == text.Trim().ToLowerInvariant()).Select(n => (SearchMode?)n.Mode).FirstOrDefault()
        ?? throw new InvalidInputException($"mode: '{text}' is not a mode; use one of {string.Join(", ", All)}");

    /// <summary>Whether the augmentation policy is learned and sampled from.</summary>
    public static bool LearnsPolicy(this SearchMode mode) => mode is SearchMode.Dha or SearchMode.NasDa;

    /// <summary>Whether η and λ follow their hypergradient (otherwise they stay at the fixed values).</summary>
    public static bool LearnsHyperParameters(this SearchMode mode) => mode is SearchMode.Dha or SearchMode.NasHpo;
}
