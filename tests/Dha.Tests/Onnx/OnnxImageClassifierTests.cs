using Dha.Data;
using Dha.Export;
using Dha.Nas;
using Dha.Onnx;
using Dha.Tests.Cli;
using Dha.Tests.Export;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Onnx;

/// <summary>
/// Dha.Onnx, the runtime without libtorch, against the library's TorchSharp <see cref="Predictor"/>: the same class
/// and probabilities on real Fashion-MNIST test images and on colour pictures of other sizes (PNG and JPEG, so the
/// resize, crop and luminance rules are exercised), and one line for every kind of bad input.
/// </summary>
public sealed class OnnxImageClassifierTests
{
    /// <summary>The bound on |Δprobability| between ONNX Runtime and TorchSharp.</summary>
    private const float Tolerance = 1e-4f;

    [Fact]
    public void Grey_model_predicts_as_the_predictor_on_shipped_test_images_and_colour_pictures()
    {
        using var folder = new TempFolder();
        var files = Enumerable.Range(0, 16).Select(i =>
        {
            var path = Path.Combine(folder.Path, $"shipped-{i}.png");
            IdxFiles.WritePng(path, IdxFiles.Image(TinyData.ShippedDirectory, "t10k-images-idx3-ubyte.gz", i));
            return path;
        }).Concat(ColourPictures(folder.Path, 8)).ToArray();
        using var calibration = OnnxExportTests.ShippedTestImages(24);
        using var bundle = Unbiased(new NetworkShape(1, 28, 4, 3, 10, Auxiliary: false), seed: 11, calibration);

        AssertPredictsAsThePredictor(bundle, files, folder.Path);
    }

    [Fact]
    public void Rgb_model_predicts_as_the_predictor_on_colour_pictures_of_other_sizes()
    {
        using var folder = new TempFolder();
        var files = ColourPictures(folder.Path, 12);
        using var scope = NewDisposeScope();
        var calibration = stack(files.Select(file => ImageFolderReader.ReadImage(file, 15, 3)));
        using var bundle = Unbiased(new NetworkShape(3, 15, 4, 3, 5, Auxiliary: false), seed: 12, calibration);

        AssertPredictsAsThePredictor(bundle, files, folder.Path);
    }

    [Fact]
    public void The_model_says_its_classes_size_and_channels_and_the_file_says_its_preprocessing()
    {
        using var folder = new TempFolder();
        using var bundle = OnnxExportTests.RandomBundle(OnnxExportTests.AllOpsStride2, new NetworkShape(3, 15, 4, 3, 5, Auxiliary: false), seed: 13);
        var file = Export(bundle, folder.Path);

        using var model = OnnxImageClassifier.Load(file);

        Assert.Equal(bundle.Manifest.ClassNames, model.ClassNames);
        Assert.Equal((3, 15), (model.Channels, model.ImageSize));
        Assert.Equal((OnnxExport.InputName, OnnxExport.OutputName), (OnnxImageClassifier.InputName, OnnxImageClassifier.OutputName));
        using var session = new InferenceSession(file);
        var preprocessing = session.ModelMetadata.CustomMetadataMap[OnnxExport.PreprocessingKey];
        Assert.Contains("scale its shorter side to 15 px and crop the centre 15x15", preprocessing, StringComparison.Ordinal);
        Assert.Contains("RGB", preprocessing, StringComparison.Ordinal);
        Assert.Contains($"mean [{string.Join(",", bundle.Manifest.Mean.Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]", preprocessing, StringComparison.Ordinal);
    }

    [Fact]
    public void Dha_onnx_references_onnx_runtime_and_skiasharp_but_neither_torchsharp_nor_the_library()
    {
        var references = typeof(OnnxImageClassifier).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("Microsoft.ML.OnnxRuntime", references);
        Assert.Contains("SkiaSharp", references);
        Assert.DoesNotContain(references, name => name.StartsWith("TorchSharp", StringComparison.Ordinal) || name == typeof(Predictor).Assembly.GetName().Name);
    }

    [Fact]
    public void Missing_files_and_folders_are_refused_with_one_line()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "no-such.onnx");

        Assert.Equal($"{missing}: ONNX model file not found", Assert.Throws<OnnxInputException>(() => OnnxImageClassifier.Load(missing)).Message);
        Assert.Equal($"{folder.Path}: is a folder, not an ONNX model file", Assert.Throws<OnnxInputException>(() => OnnxImageClassifier.Load(folder.Path)).Message);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_with_one_line()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "model.onnx");
        File.WriteAllText(file, "this is not a protobuf model\n");

        var error = Assert.Throws<OnnxInputException>(() => OnnxImageClassifier.Load(file));

        Assert.StartsWith($"{file}: not an ONNX model ONNX Runtime can load (", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_onnx_model_without_class_names_or_of_another_shape_is_refused_with_one_line()
    {
        using var folder = new TempFolder();
        using var bundle = OnnxExportTests.RandomBundle(OnnxExportTests.AllOpsStride2, new NetworkShape(1, 8, 4, 3, 3, Auxiliary: false), seed: 14);
        var unnamed = OnnxExport.Build(bundle);
        unnamed.MetadataProps.Clear();
        var renamed = OnnxExport.Build(bundle);
        renamed.Graph.Input[0].Name = "input";
        renamed.Graph.Node[0].Input[0] = "input";
        var wrongCount = OnnxExport.Build(bundle);
        wrongCount.MetadataProps.Single(p => p.Key == OnnxExport.ClassNamesKey).Value = """["a","b"]""";

        foreach (var (name, model, message) in new[]
        {
            ("unnamed", unnamed, "not an image classifier written by 'dha export' (expected input 'image' float32 [N, 1 or 3, S, S], output 'logits' float32 [N, classes] and metadata 'class_names')"),
            ("renamed", renamed, "not an image classifier written by 'dha export' (expected input 'image' float32 [N, 1 or 3, S, S], output 'logits' float32 [N, classes] and metadata 'class_names')"),
            ("wrong-count", wrongCount, "its metadata 'class_names' is not a JSON array of 3 names, one per output"),
        })
        {
            var file = Path.Combine(folder.Path, $"{name}.onnx");
            File.WriteAllBytes(file, model.ToByteArray());

            Assert.Equal($"{file}: {message}", Assert.Throws<OnnxInputException>(() => OnnxImageClassifier.Load(file)).Message);
        }
    }

    [Fact]
    public void Missing_and_undecodable_images_are_refused_with_one_line()
    {
        using var folder = new TempFolder();
        using var bundle = OnnxExportTests.RandomBundle(OnnxExportTests.AllOpsStride2, new NetworkShape(1, 8, 4, 3, 3, Auxiliary: false), seed: 15);
        var file = Export(bundle, folder.Path);
        using var model = OnnxImageClassifier.Load(file);
        var missing = Path.Combine(folder.Path, "missing.png");
        var text = Path.Combine(folder.Path, "text.png");
        File.WriteAllText(text, "not an image");

        Assert.Equal($"{missing}: image file not found", Assert.Throws<OnnxInputException>(() => model.Predict(missing)).Message);
        Assert.Equal($"{text}: not a decodable image (not PNG, JPEG or BMP, or damaged)", Assert.Throws<OnnxInputException>(() => model.Predict(text)).Message);
        using var stream = new MemoryStream([1, 2, 3]);
        Assert.Equal("image stream: not a decodable image (not PNG, JPEG or BMP, or damaged)", Assert.Throws<OnnxInputException>(() => model.Predict(stream)).Message);
        using var endless = new EndlessStream();
        Assert.Equal("image stream: more than 64 MiB, too large for one encoded image", Assert.Throws<OnnxInputException>(() => model.Predict(endless)).Message);
    }

    /// <summary>
    /// Exports <paramref name="bundle"/>, then classifies every file with Dha.Onnx (from the path and from a stream) and
    /// with TorchSharp's <see cref="Predictor"/>: the same class and label, the predicted class's probability within
    /// <see cref="Tolerance"/>, probabilities that sum to 1; and the images must not all get one class.
    /// </summary>
    internal static void AssertPredictsAsThePredictor(ModelBundle bundle, IReadOnlyList<string> files, string folder)
    {
        var file = Export(bundle, folder);
        var expected = Predictor.Predict(bundle, files);
        using var options = SingleThread();
        using var model = OnnxImageClassifier.Load(file, options);

        for (var i = 0; i < files.Count; i++)
        {
            var prediction = model.Predict(files[i]);
            using var stream = File.OpenRead(files[i]);
            Assert.Equal(prediction.Probabilities, model.Predict(stream).Probabilities);
            Assert.True(expected[i].ClassIndex == prediction.ClassIndex, $"{files[i]}: TorchSharp says {expected[i].ClassIndex}, Dha.Onnx {prediction.ClassIndex}");
            Assert.Equal(expected[i].ClassName, prediction.Label);
            Assert.True(Math.Abs(expected[i].Probability - prediction.Probability) <= Tolerance,
                $"{files[i]}: probability {prediction.Probability} vs TorchSharp's {expected[i].Probability}");
            Assert.Equal(bundle.Manifest.Classes, prediction.Probabilities.Count);
            Assert.Equal(1.0, prediction.Probabilities.Sum(p => (double)p), 5);
        }
        var classes = expected.Select(p => p.ClassIndex).Distinct().Count();
        Assert.True(classes >= 2, $"the images got {classes} classes: the comparison would prove little");
    }

    /// <summary>
    /// A random network calibrated on <paramref name="images"/>, without its classifier's bias: a random bias would
    /// outweigh what the random features say, and give every image one class.
    /// </summary>
    private static ModelBundle Unbiased(NetworkShape shape, int seed, Tensor images)
    {
        var bundle = OnnxExportTests.RandomBundle(OnnxExportTests.AllOpsStride2, shape, seed, images);
        using var noGrad = no_grad();
        bundle.Network.Classifier.bias!.zero_();
        return bundle;
    }

    /// <summary>Writes <paramref name="bundle"/> as <c>model.onnx</c> in <paramref name="folder"/>; returns its path.</summary>
    internal static string Export(ModelBundle bundle, string folder)
    {
        var file = Path.Combine(folder, "model.onnx");
        OnnxExport.Write(bundle, file);
        return file;
    }

    internal static SessionOptions SingleThread() => new() { IntraOpNumThreads = 1, InterOpNumThreads = 1 };

    private static string[] ColourPictures(string folder, int count) =>
        [.. Enumerable.Range(0, count).Select(i => TestImages.WriteColour(folder, seed: i + 1, width: 20 + 7 * i, height: 45 - 3 * i,
            i % 2 == 0 ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg))];
}
