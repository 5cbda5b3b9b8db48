using Dha.Data;
using Dha.Evaluation;
using Dha.Export;
using Dha.Search;

namespace Dha;

/// <summary>
/// A trained model, loaded from the <c>model/</c> folder a search wrote (or from its run folder), ready to classify
/// images, to be evaluated on a dataset and to be exported to ONNX. It holds native memory: dispose it.
/// </summary>
/// <example>
/// <code>
/// using var model = DhaModel.Load("runs/mine");
/// var prediction = model.Predict("shirt.png");
/// Console.WriteLine($"{prediction.ClassName} {prediction.Probability:P1}");
/// </code>
/// </example>
public sealed class DhaModel : IDisposable
{
    private readonly ModelBundle _bundle;

    private DhaModel(ModelBundle bundle, string directory)
    {
        _bundle = bundle;
        Directory = directory;
    }

    /// <summary>The model folder it was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The class names, in the order of the class indices.</summary>
    public IReadOnlyList<string> ClassNames => _bundle.Manifest.ClassNames;

    /// <summary>The side in pixels of the square input the network takes; images are scaled and centre-cropped to it.</summary>
    public int ImageSize => _bundle.Manifest.ImageSize;

    /// <summary>1 for a grey model, 3 for a colour one.</summary>
    public int InputChannels => _bundle.Manifest.InputChannels;

    /// <summary>The architecture found by the search, in the genotype notation of <c>genotype.json</c>.</summary>
    public string Genotype => _bundle.Manifest.Genotype;

    internal ModelBundle Bundle => _bundle;

    /// <summary>
    /// Loads a model folder (<c>model.json</c> + <c>weights.bin</c>) or the run folder that holds one. A missing,
    /// damaged or foreign model throws <see cref="InvalidInputException"/> naming the file and what is wrong.
    /// </summary>
    public static DhaModel Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var modelDirectory = ModelDirectory(directory);
        return new DhaModel(ModelBundle.Load(modelDirectory), modelDirectory);
    }

    /// <summary>The model folder of <paramref name="path"/>: its <c>model/</c> subfolder when it is a run folder, else itself.</summary>
    public static string ModelDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return System.IO.Directory.Exists(Path.Combine(path, SearchRun.ModelFolder)) ? Path.Combine(path, SearchRun.ModelFolder) : path;
    }

    /// <summary>Classifies an image file (PNG, JPEG or BMP).</summary>
    public Prediction Predict(string imageFile) => Predictor.Predict(_bundle, [imageFile])[0];

    /// <summary>Classifies image files, checking first that every one exists.</summary>
    public IReadOnlyList<Prediction> Predict(IReadOnlyList<string> imageFiles) => Predictor.Predict(_bundle, imageFiles);

    /// <summary>Classifies an encoded image (PNG, JPEG or BMP) read from a stream; <paramref name="name"/> names it in the result and in errors.</summary>
    public Prediction Predict(Stream image, string name = "image") => Predictor.Predict(_bundle, image, name);

    /// <summary>
    /// Classifies an image already decoded to the model's input size: channel-major bytes, <see cref="InputChannels"/>
    /// planes of <see cref="ImageSize"/> rows of <see cref="ImageSize"/> pixels (one image of
    /// <see cref="Data.ImageDataset.FromPixels"/>'s layout); <paramref name="name"/> names it in the result and in errors.
    /// </summary>
    public Prediction PredictPixels(byte[] pixels, string name = "image")
    {
        ArgumentNullException.ThrowIfNull(pixels);
        return Predictor.Predict(_bundle, pixels, name);
    }

    /// <summary>
    /// Accuracy, loss, per-class accuracy and confusion matrix on the test split of a dataset given as for a search
    /// (a path, <c>fashion-mnist</c>, or null for the shipped subset). Data without a test split of its own is split
    /// as the model's run split it, so the test images are the run's.
    /// </summary>
    public ClassificationMetrics Evaluate(string? data = null)
    {
        using var loaded = ModelTestSplit.Load(_bundle.Manifest, data);
        return Score(loaded.Test);
    }

    /// <summary>The same figures on images already in memory, which must have the model's size, channels and classes.</summary>
    public ClassificationMetrics Evaluate(ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(test);
        ModelTestSplit.CheckFits(_bundle.Manifest, test, "test set");
        return Score(test);
    }

    /// <summary>Writes the network as an ONNX model (see <c>dha export</c>), atomically.</summary>
    public void ExportOnnx(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        OnnxExport.Write(_bundle, file);
    }

    /// <inheritdoc/>
    public void Dispose() => _bundle.Dispose();

    private ClassificationMetrics Score(ImageDataset test) =>
        Evaluator.Evaluate(images => _bundle.Network.forward(images).Logits, test, _bundle.Manifest.Mean, _bundle.Manifest.Std);
}
