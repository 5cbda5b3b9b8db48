namespace Dha.Data;

/// <summary>
/// A seeded, stratified train/test split for data that comes without one (class folders, a CSV without a split
/// column): every class gives the same fraction of its images to the test set, so a rare class is not left out of
/// either side. Items are identified by their position in a list the caller sorted ordinally, so the split depends
/// only on the names, the labels, the seed and the fraction, never on the file system's listing order.
/// </summary>
/// <param name="Seed">Seeds the shuffle inside each class.</param>
/// <param name="TestFraction">The share of each class that goes to the test set, in (0, 1).</param>
internal sealed record StratifiedSplit(int Seed, double TestFraction)
{
    /// <summary>The seed used when none is given.</summary>
    public const int DefaultSeed = 0;

    /// <summary>The test share used when none is given.</summary>
    public const double DefaultTestFraction = 0.2;

    /// <exception cref="InvalidInputException">The fraction is not strictly between 0 and 1.</exception>
    public void Validate()
    {
        if (!(TestFraction > 0 && TestFraction < 1))
        {
            throw new InvalidInputException($"test fraction {TestFraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}: must be between 0 and 1 (exclusive)");
        }
    }

    /// <summary>
    /// Splits items 0..labels.Count-1. A class of n items gives round(n × fraction) to the test set, but at least one
    /// when n ≥ 2 and never all of them (training keeps at least one image of every class). Both index lists come back
    /// in ascending order.
    /// </summary>
    /// <param name="labels">The label of each item, in [0, classCount).</param>
    /// <param name="classCount">How many classes there are.</param>
    public (int[] Train, int[] Test) Apply(IReadOnlyList<int> labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Validate();
        var members = new List<int>[classCount];
        for (var c = 0; c < classCount; c++)
        {
            members[c] = [];
        }
        for (var i = 0; i < labels.Count; i++)
        {
            members[labels[i]].Add(i);
        }
        // One generator walked through the classes in label order: the same seed gives the same split.
        var random = new Random(Seed);
        var test = new List<int>();
        foreach (var items in members)
        {
            var n = items.Count;
            var count = (int)Math.Round(n * TestFraction, MidpointRounding.AwayFromZero);
            count = Math.Clamp(count, n >= 2 ? 1 : 0, Math.Max(0, n - 1));
            var shuffled = items.ToArray();
            random.Shuffle(shuffled);
            test.AddRange(shuffled.Take(count));
        }
        var isTest = new bool[labels.Count];
        foreach (var i in test)
        {
            isTest[i] = true;
        }
        var all = Enumerable.Range(0, labels.Count);
        return (all.Where(i => !isTest[i]).ToArray(), all.Where(i => isTest[i]).ToArray());
    }
}
