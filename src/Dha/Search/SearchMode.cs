namespace Dha.Search;

/// <summary>
/// Which learners step besides the network weights: the paper's ablation grid, run by one trainer on equal budgets.
/// The architecture is always searched: by one-stage ISTA on the training loss, the same weights training on after the
/// switch (no retraining); in the two-stage modes by ISTA on the validation loss, then the genotype retrained from
/// scratch (the reference's <c>ista_nor</c>, <c>ista_da</c>, <c>ista_hpo</c>, <c>ista_doal</c>; dha-method §2); or by
/// DARTS followed by a retraining.
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

    /// <summary>Two-stage ISTA: codes on the validation loss, then the genotype retrained from scratch with fixed η, λ and crop + flip (+ cutout).</summary>
    IstaTwoStage,

    /// <summary>Two-stage ISTA whose retraining learns the augmentation policy.</summary>
    IstaTwoStageDa,

    /// <summary>Two-stage ISTA whose retraining learns η and λ by hypergradient.</summary>
    IstaTwoStageHpo,

    /// <summary>Two-stage ISTA whose retraining learns the augmentation policy, η and λ.</summary>
    IstaTwoStageDaHpo,

    /// <summary>
    /// The DARTS baseline: a softmax supernet whose architecture weights follow the validation loss (first or second
    /// order), then its genotype retrained from scratch on the rest of the budget.
    /// </summary>
    Darts,
}

/// <summary>Text names of <see cref="SearchMode"/> as the CLI and the config file spell them, and what each mode learns.</summary>
internal static class SearchModes
{
    public static IEnumerable<string> All => OptionTexts.Mode.Texts;

    public static string ToText(this SearchMode mode) => OptionTexts.Mode.ToText(mode);

    /// <exception cref="InvalidInputException">The text names no mode; the message lists the modes.</exception>
    public static SearchMode Parse(string text)
    {
        try
        {
            return OptionTexts.Mode.Parse(text);
        }
        catch (UnknownTextException e)
        {
            throw new InvalidInputException($"mode: {e.Message}");
        }
    }

    /// <summary>Whether the augmentation policy is learned and sampled from; in the two-stage modes only in the retraining (<see cref="IsTwoStage"/>).</summary>
    public static bool LearnsPolicy(this SearchMode mode) => mode is SearchMode.Dha or SearchMode.NasDa or SearchMode.IstaTwoStageDa or SearchMode.IstaTwoStageDaHpo;

    /// <summary>Whether η and λ follow their hypergradient (otherwise they stay at the fixed values); in the two-stage modes only in the retraining.</summary>
    public static bool LearnsHyperParameters(this SearchMode mode) =>
        mode is SearchMode.Dha or SearchMode.NasHpo or SearchMode.IstaTwoStageHpo or SearchMode.IstaTwoStageDaHpo;

    /// <summary>
    /// Whether the search steps the codes on the validation loss (the weights on the training loss) and phase B
    /// retrains the genotype from freshly initialised weights, rather than the one-stage search and training on.
    /// </summary>
    public static bool IsTwoStage(this SearchMode mode) =>
        mode is SearchMode.IstaTwoStage or SearchMode.IstaTwoStageDa or SearchMode.IstaTwoStageHpo or SearchMode.IstaTwoStageDaHpo;
}
