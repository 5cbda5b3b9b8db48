using Dha.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Export;

/// <summary>The class a model gives one image file, with its softmax probability.</summary>
/// <param name="File">The image file, or the name given with a stream.</param>
/// <param name="ClassIndex">The index of the predicted class.</param>
/// <param name="ClassName">The name of the predicted class.</param>
/// <param name="Probability">The softmax probability of that class, in [0, 1].</param>
public sealed record Prediction(string File, int ClassIndex, string ClassName, double Probability);

/// <summary>
/// Classifies image files with a saved model: each file is decoded, brought to the model's input size the way image
/// folders are read (shorter side scaled, centre crop), converted to the model's channels (PIL's luminance for grey
/// models), normalised with the model's statistics, and run in eval mode.
/// </summary>
internal static class Predictor
{
    public static IReadOnlyList<Prediction> Predict(ModelBundle bundle, IReadOnlyList<string> files)
    {
        var manifest = bundle.Manifest;
        var predictions = new List<Prediction>(files.Count);
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new InvalidInputException($"{file}: image file not found");
            }
        }
        foreach (var file in files)
        {
            predictions.Add(Classify(bundle, file, () => ImageFolderReader.ReadImage(file, manifest.ImageSize, manifest.InputChannels)));
        }
        return predictions;
    }

    /// <summary>Classifies one encoded image (PNG, JPEG or BMP) read from <paramref name="image"/>; <paramref name="name"/> names it in the result and in errors.</summary>
    public static Prediction Predict(ModelBundle bundle, Stream image, string name) =>
        Classify(bundle, name, () => ImageFolderReader.ReadImage(image, name, bundle.Manifest.ImageSize, bundle.Manifest.InputChannels));

    /// <summary>
    /// Classifies an image already decoded and brought to the model's input: <paramref name="pixels"/> are channel-major
    /// uint8 planes (the model's channel count of rows × columns, its image size square), as <c>ImageDataset.FromPixels</c>
    /// lays out one image; <paramref name="name"/> names it in the result and in errors.
    /// </summary>
    public static Prediction Predict(ModelBundle bundle, byte[] pixels, string name)
    {
        var manifest = bundle.Manifest;
        var expected = (long)manifest.InputChannels * manifest.ImageSize * manifest.ImageSize;
        if (pixels.LongLength != expected)
        {
            throw new InvalidInputException(
                $"{name}: {pixels.LongLength} pixels, the model takes {manifest.InputChannels}x{manifest.ImageSize}x{manifest.ImageSize} = {expected} (channel-major bytes)");
        }
        return Classify(bundle, name, () => tensor(pixels, [manifest.InputChannels, manifest.ImageSize, manifest.ImageSize], ScalarType.Byte));
    }

    private static Prediction Classify(ModelBundle bundle, string name, Func<Tensor> decode)
    {
        var manifest = bundle.Manifest;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var image = decode(); // uint8 [C, S, S]
        var input = Normalization.Normalize(image.unsqueeze(0), manifest.Mean, manifest.Std);
        var probabilities = nn.functional.softmax(bundle.Network.forward(input).Logits, 1)[0];
        var best = (int)probabilities.argmax().ToInt64();
        return new Prediction(name, best, manifest.ClassNames[best], probabilities[best].ToDouble());
    }
}
