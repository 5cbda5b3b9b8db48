namespace Dha.Data;

/// <summary>
/// The three sets a search uses (dha-method §7). By default, as in the paper (<c>real_val = false</c>), the training
/// split is the whole training set and the validation split is its last <c>valRatio</c> share after a seeded
/// shuffle, so validation images are also trained on: the hyper-gradient signal then comes from clean images the
/// model knows. <c>heldOutValidation</c> removes them from training instead. Test is the official test split.
/// </summary>
/// <remarks>
/// Disposing releases only the subsets <see cref="Create"/> made (validation, and training when held out); the
/// datasets passed in stay owned by the caller.
/// </remarks>
internal sealed record DatasetSplits(ImageDataset Train, ImageDataset Validation, ImageDataset Test) : IDisposable
{
    private ImageDataset[] Owned { get; init; } = [];

    /// <param name="train">The official training set.</param>
    /// <param name="test">The official test set.</param>
    /// <param name="valRatio">Share of the training set used for validation, in (0, 1).</param>
    /// <param name="heldOutValidation">Remove the validation images from training (<c>real_val = true</c>).</param>
    /// <param name="seed">The run seed; the shuffle is <c>Seeds.Random(seed, "split")</c>.</param>
    public static DatasetSplits Create(ImageDataset train, ImageDataset test, double valRatio, bool heldOutValidation, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!(valRatio > 0 && valRatio < 1))
        {
            throw new InvalidInputException($"validation ratio {valRatio}: must be between 0 and 1 (exclusive)");
        }
        var validationCount = (int)Math.Round(train.Count * valRatio, MidpointRounding.AwayFromZero);
        if (validationCount < 1 || (heldOutValidation && validationCount >= train.Count))
        {
            throw new InvalidInputException(
                $"validation ratio {valRatio}: gives {validationCount} of {train.Count} training images for validation; need at least 1{(heldOutValidation ? " and at least 1 left to train on" : "")}");
        }
        var order = new long[train.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        var random = Seeds.Random(seed, "split");
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var validationIndices = order[^validationCount..];
        Array.Sort(validationIndices);
        var validation = train.Subset(validationIndices);
        if (!heldOutValidation)
        {
            return new DatasetSplits(train, validation, test) { Owned = [validation] };
        }
        var trainIndices = order[..^validationCount];
        Array.Sort(trainIndices);
        var heldOutTrain = train.Subset(trainIndices);
        return new DatasetSplits(heldOutTrain, validation, test) { Owned = [heldOutTrain, validation] };
    }

    public void Dispose()
    {
        foreach (var dataset in Owned)
        {
            dataset.Dispose();
        }
    }
}
