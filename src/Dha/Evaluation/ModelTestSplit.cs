using Dha.Data;
using Dha.Export;

namespace Dha.Evaluation;

/// <summary>The test images a saved model is scored on: <c>dha evaluate</c>'s and <c>dha report</c>'s.</summary>
internal static class ModelTestSplit
{
    /// <summary>
    /// Loads <paramref name="data"/> (null: the shipped dataset) at the model's image size; data without a test split
    /// of its own is split as the model's run split it, so the test images are the run's.
    /// </summary>
    /// <exception cref="InvalidInputException">The data is not found, or its images or classes do not fit the model.</exception>
    public static LoadedDataset Load(ModelManifest manifest, string? data)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var split = manifest.TestSplit ?? new StratifiedSplit(StratifiedSplit.DefaultSeed, StratifiedSplit.DefaultTestFraction);
        var loaded = DatasetLocator.Load(data, manifest.ImageSize, maxImageSize: 0, split.Seed, split.TestFraction);
        try
        {
            CheckFits(manifest, loaded.Test, $"--data {loaded.Path}");
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
        return loaded;
    }

    /// <summary>Refuses test images whose size, channels or classes do not fit the model; <paramref name="what"/> names them.</summary>
    internal static void CheckFits(ModelManifest manifest, ImageDataset test, string what)
    {
        if (test.Channels != manifest.InputChannels || test.Height != manifest.ImageSize || test.Width != manifest.ImageSize)
        {
            throw new InvalidInputException(
                $"{what}: images are {test.Channels}x{test.Height}x{test.Width}, the model expects {manifest.InputChannels}x{manifest.ImageSize}x{manifest.ImageSize}");
        }
        if (test.ClassCount != manifest.Classes)
        {
            throw new InvalidInputException($"{what}: {test.ClassCount} classes, the model has {manifest.Classes}");
        }
    }
}
