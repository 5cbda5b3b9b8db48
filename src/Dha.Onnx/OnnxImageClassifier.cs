using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Dha.Onnx;

/// <summary>
/// An image classifier exported by <c>dha export MODEL --onnx FILE</c>, run by ONNX Runtime alone (no TorchSharp):
/// <code>
/// using var model = OnnxImageClassifier.Load("model.onnx");
/// var prediction = model.Predict("shoe.png");   // prediction.Label, .ClassIndex, .Probability, .Probabilities
/// </code>
/// Everything it needs is in the file: the input size and channels (the input's shape), the class names (metadata
/// <c>class_names</c>), the normalisation (inside the graph). Images are brought to the input as <c>dha predict</c>
/// brings them (shorter side scaled, centre crop, RGB or luminance), so predictions are the library's. Safe to use
/// from several threads; dispose it to free the ONNX Runtime session.
/// </summary>
public sealed class OnnxImageClassifier : IDisposable
{
    /// <summary>The name of the graph's input: float32 [N, C, S, S], pixel / 255.</summary>
    public const string InputName = "image";

    /// <summary>The name of the graph's output: float32 [N, classes], logits before softmax.</summary>
    public const string OutputName = "logits";

    private const string ClassNamesKey = "class_names";

    private readonly InferenceSession _session;

    private OnnxImageClassifier(InferenceSession session, string[] classNames, int channels, int imageSize)
    {
        _session = session;
        ClassNames = classNames;
        Channels = channels;
        ImageSize = imageSize;
    }

    /// <summary>The class names, in class index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The input's channels: 3 (RGB) or 1 (grey).</summary>
    public int Channels { get; }

    /// <summary>The side of the square images the model takes, in pixels.</summary>
    public int ImageSize { get; }

    /// <summary>Opens an exported model.</summary>
    /// <param name="onnxPath">A <c>.onnx</c> file written by <c>dha export</c>.</param>
    /// <param name="options">ONNX Runtime's session options (threads, execution providers); null = its defaults.</param>
    /// <exception cref="OnnxInputException">The file is missing, not an ONNX model, or not one <c>dha export</c> wrote.</exception>
    public static OnnxImageClassifier Load(string onnxPath, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(onnxPath);
        if (!File.Exists(onnxPath))
        {
            throw new OnnxInputException(Directory.Exists(onnxPath) ? $"{onnxPath}: is a folder, not an ONNX model file" : $"{onnxPath}: ONNX model file not found");
        }
        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(onnxPath) : new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxInputException($"{onnxPath}: not an ONNX model ONNX Runtime can load ({FirstLine(e.Message)})", e);
        }
        try
        {
            var (classNames, channels, size) = Contract(session, onnxPath);
            return new OnnxImageClassifier(session, classNames, channels, size);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Classifies an image file (PNG, JPEG or BMP).</summary>
    /// <exception cref="OnnxInputException">The file is missing or does not decode.</exception>
    public OnnxPrediction Predict(string imagePath) => Classify(ReadPixels(imagePath));

    /// <summary>Classifies an encoded image (PNG, JPEG or BMP bytes) read to its end from <paramref name="image"/>.</summary>
    /// <exception cref="OnnxInputException">The bytes do not decode.</exception>
    public OnnxPrediction Predict(Stream image) => Classify(ReadPixels(image));

    /// <summary>
    /// The model's input for one image file: float32 [C, S, S] flattened, pixel / 255, for feeding the graph
    /// yourself (batches, an ML.NET pipeline's <c>ApplyOnnxModel</c>).
    /// </summary>
    public float[] ReadPixels(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        return ImagePixels.FromFile(imagePath, ImageSize, Channels);
    }

    /// <summary>The model's input for one encoded image read from <paramref name="image"/>, as <see cref="ReadPixels(string)"/>.</summary>
    public float[] ReadPixels(Stream image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ImagePixels.FromStream(image, "image stream", ImageSize, Channels);
    }

    /// <summary>Frees the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();

    private OnnxPrediction Classify(float[] pixels)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, Channels, ImageSize, ImageSize]);
        using var run = new RunOptions();
        using var outputs = _session.Run(run, [InputName], [input], [OutputName]);
        var probabilities = Softmax(outputs[0].GetTensorDataAsSpan<float>());
        var best = 0;
        for (var c = 1; c < probabilities.Length; c++)
        {
            best = probabilities[c] > probabilities[best] ? c : best;
        }
        return new OnnxPrediction(best, ClassNames[best], probabilities);
    }

    // in double, shifted by the largest logit so no exponential overflows
    private static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var logit in logits)
        {
            max = Math.Max(max, logit);
        }
        var exps = new double[logits.Length];
        for (var c = 0; c < logits.Length; c++)
        {
            exps[c] = Math.Exp(logits[c] - max);
        }
        var sum = exps.Sum();
        return [.. exps.Select(e => (float)(e / sum))];
    }

    /// <summary>The class names, channels and size of a model <c>dha export</c> wrote; refuses any other model.</summary>
    private static (string[] ClassNames, int Channels, int Size) Contract(InferenceSession session, string path)
    {
        const string expected = "expected input 'image' float32 [N, 1 or 3, S, S], output 'logits' float32 [N, classes] and metadata 'class_names'";
        var notOurs = new OnnxInputException($"{path}: not an image classifier written by 'dha export' ({expected})");
        if (!session.InputMetadata.TryGetValue(InputName, out var input) || session.InputMetadata.Count != 1
            || !session.OutputMetadata.TryGetValue(OutputName, out var output)
            || !session.ModelMetadata.CustomMetadataMap.TryGetValue(ClassNamesKey, out var namesJson))
        {
            throw notOurs;
        }
        var dims = input.Dimensions;
        var outputDims = output.Dimensions;
        if (input.ElementType != typeof(float) || output.ElementType != typeof(float) || dims.Length != 4 || outputDims.Length != 2
            || dims[1] is not (1 or 3) || dims[2] <= 0 || dims[2] != dims[3] || outputDims[1] <= 0)
        {
            throw notOurs;
        }
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(namesJson);
        }
        catch (JsonException)
        {
            names = null;
        }
        if (names is null || names.Length != outputDims[1] || names.Any(string.IsNullOrEmpty))
        {
            throw new OnnxInputException($"{path}: its metadata 'class_names' is not a JSON array of {outputDims[1]} names, one per output");
        }
        return (names, dims[1], dims[2]);
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
