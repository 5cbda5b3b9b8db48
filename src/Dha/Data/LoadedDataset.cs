namespace Dha.Data;

/// <summary>
/// What <see cref="DatasetLocator.Load"/> found: the official train and test splits, the format that was recognised
/// (<c>idx</c>, <c>cifar-10</c>, <c>cifar-100</c>, <c>image-folder</c>) and the full path it was read from, so the
/// tool can tell the user exactly what it trained on. Owns both datasets.
/// </summary>
public sealed record LoadedDataset(ImageDataset Train, ImageDataset Test, string Format, string Path) : IDisposable
{
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
