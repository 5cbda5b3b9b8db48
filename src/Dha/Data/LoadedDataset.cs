namespace Dha.Data;

/// <summary>
/// What <see cref="DatasetLocator.Load"/> found: the train and test splits, the format that was recognised
/// (<c>idx</c>, <c>cifar-10</c>, <c>cifar-100</c>, <c>cifar-10-python</c>, <c>cifar-100-python</c>, <c>image-folder</c>,
/// <c>image-folder-val</c>, <c>image-folder-unsplit</c>, <c>csv</c>) and the full path it was read from, so the tool
/// can tell the user exactly what it trained on. Owns both datasets.
/// </summary>
internal sealed record LoadedDataset(ImageDataset Train, ImageDataset Test, string Format, string Path) : IDisposable
{
    private readonly string? _sizeReason;

    /// <summary>
    /// The image size and why it was chosen, for example <c>28x28: every image is 28x28</c> or
    /// <c>96x96: capped from 256 by the max image size; …</c>. Formats of one fixed size say so.
    /// </summary>
    public string SizeReason
    {
        get => _sizeReason ?? $"{Train.Height}x{Train.Width}: the fixed size of the {Format} format";
        init => _sizeReason = value;
    }

    /// <summary>
    /// The seeded stratified split that made the test set, or null when the data came with its own test split
    /// (a run records it so the same test set can be rebuilt).
    /// </summary>
    public StratifiedSplit? Split { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
