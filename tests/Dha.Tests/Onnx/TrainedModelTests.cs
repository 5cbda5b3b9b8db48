using Dha.Data;
using Dha.Evaluation;
using Dha.Export;
using Dha.Onnx;
using Dha.Tests.Cli;

namespace Dha.Tests.Onnx;

/// <summary>
/// A tiny trained run exported by <c>dha export</c> and run by Dha.Onnx and by ML.NET: the predictor's classes and
/// probabilities on shipped test image files, and the model's own accuracy on the whole shipped test split.
/// </summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class TrainedModelTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    private const string TestImagesFile = "t10k-images-idx3-ubyte.gz";

    [Fact]
    public void Exported_model_predicts_shipped_test_files_as_the_predictor()
    {
        var folder = run.NewFolder();
        var files = Enumerable.Range(0, 40).Select(i =>
        {
            var path = Path.Combine(folder, $"test-{i}.png");
            IdxFiles.WritePng(path, IdxFiles.Image(TinyData.ShippedDirectory, TestImagesFile, i));
            return path;
        }).ToArray();
        using var bundle = ModelBundle.Load(run.ModelDirectory);

        OnnxImageClassifierTests.AssertPredictsAsThePredictor(bundle, files, folder);
    }

    [Fact]
    public void Exported_model_has_the_models_own_accuracy_on_the_whole_shipped_test_split_in_dha_onnx_and_ml_net()
    {
        var file = Path.Combine(run.NewFolder(), "model.onnx");
        var export = DhaTool.Run("export", run.RunDirectory, "--onnx", file);
        Assert.True(export.ExitCode == 0, $"exit {export.ExitCode}: {export.Error}");
        using var bundle = ModelBundle.Load(run.ModelDirectory);
        using var data = DatasetLocator.Load(TinyData.ShippedDirectory, bundle.Manifest.ImageSize);
        var own = Evaluator.Evaluate(images => bundle.Network.forward(images).Logits, data.Test, bundle.Manifest.Mean, bundle.Manifest.Std);
        var labels = IdxFiles.Labels(TinyData.ShippedDirectory, "t10k-labels-idx1-ubyte.gz");
        Assert.Equal(data.Test.Count, labels.Length);
        var images = Enumerable.Range(0, labels.Length).Select(i => IdxFiles.EncodePng(IdxFiles.Image(TinyData.ShippedDirectory, TestImagesFile, i))).ToArray();
        using var options = OnnxImageClassifierTests.SingleThread();
        using var model = OnnxImageClassifier.Load(file, options);

        var predicted = images.Select(png => model.Predict(new MemoryStream(png)).ClassIndex).ToArray();
        var (pipeline, _) = MlNetPipeline.Classify(file, model, images.Select(png => model.ReadPixels(new MemoryStream(png))));

        Assert.Equal(own.Count, predicted.Length);
        Assert.Equal(own.Accuracy, Accuracy(predicted, labels));
        Assert.Equal(own.Accuracy, Accuracy(pipeline, labels));
        // the tiny model (one epoch on 256 images) is weak, but it must tell classes apart for the comparison to mean much
        Assert.True(own.Accuracy > 1.0 / bundle.Manifest.Classes, $"accuracy {own.Accuracy}: no better than chance");
        Assert.True(predicted.Distinct().Count() >= 3, "the model gives nearly every image one class");
    }

    private static double Accuracy(int[] predicted, byte[] labels) =>
        (double)predicted.Where((c, i) => c == labels[i]).Count() / labels.Length;
}
