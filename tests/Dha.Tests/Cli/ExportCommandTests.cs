using Dha.Data;
using Dha.Export;
using Dha.Tests.Export;

namespace Dha.Tests.Cli;

/// <summary>
/// <c>dha export</c> on a tiny trained run: the model goes through <see cref="ModelBundle"/> save and load and the
/// command, and the ONNX file classifies the run's test images as the model does.
/// </summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class ExportCommandTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    [Fact]
    public void Exported_model_gives_the_models_logits_and_test_accuracy_in_onnx_runtime()
    {
        var folder = run.NewFolder();

        var result = DhaTool.RunIn(folder, "export", run.RunDirectory, "--onnx", "exported/model.onnx");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Error}");
        Assert.Equal(
            ["ONNX model written to exported/model.onnx (input 'image' float32 [N, 1, 28, 28], pixel / 255; output 'logits' [N, 10])"],
            result.OutputLines);
        var file = Path.Combine(folder, "exported", "model.onnx");
        using var bundle = ModelBundle.Load(run.ModelDirectory);
        Assert.False(bundle.Manifest.Auxiliary);
        using var data = DatasetLocator.Load(run.DataDirectory, bundle.Manifest.ImageSize);
        var test = data.Test;
        Assert.Equal(TrainedRunFixture.TestImages, test.Count);

        var onnx = OnnxModels.OnnxLogits(file, test.Images);
        OnnxModels.AssertEquivalent(OnnxModels.TorchLogits(bundle.Network, bundle.Manifest, test.Images), onnx);
        var labels = test.Labels.data<long>().ToArray();
        var correct = Enumerable.Range(0, test.Count).Count(i => OnnxModels.ArgMax(onnx, i) == labels[i]);
        Assert.Equal(bundle.Manifest.TestAccuracy, (double)correct / test.Count);
        OnnxModels.AssertOnnxCheckerAccepts(file);
    }

    [Fact]
    public void Export_of_a_missing_model_prints_one_line_and_exits_2()
    {
        var folder = run.NewFolder();

        var result = DhaTool.RunIn(folder, "export", "no-such-model", "--onnx", "model.onnx");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["dha: no-such-model: model folder not found"], result.ErrorLines);
        Assert.Empty(DhaTool.Contents(folder));
    }

    [Fact]
    public void Export_without_onnx_is_a_usage_error()
    {
        var result = DhaTool.Run("export", run.ModelDirectory);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains("--onnx", result.Error, StringComparison.Ordinal);
    }
}
