using Dha.Nas;
using Dha.Onnx;
using Dha.Tests.Cli;
using Dha.Tests.Export;

namespace Dha.Tests.Onnx;

/// <summary>An exported model inside an ML.NET pipeline gives Dha.Onnx's classes and probabilities.</summary>
public sealed class MlNetPipelineTests
{
    [Fact]
    public void Apply_onnx_model_classifies_shipped_test_images_as_dha_onnx_does()
    {
        using var folder = new TempFolder();
        using var calibration = OnnxExportTests.ShippedTestImages(24);
        using var bundle = OnnxExportTests.RandomBundle(OnnxExportTests.AllOpsStride2, new NetworkShape(1, 28, 4, 3, 10, Auxiliary: false), seed: 21, calibration);
        var file = OnnxImageClassifierTests.Export(bundle, folder.Path);
        using var options = OnnxImageClassifierTests.SingleThread();
        using var model = OnnxImageClassifier.Load(file, options);
        var images = Enumerable.Range(0, 32).Select(i => IdxFiles.EncodePng(IdxFiles.Image(TinyData.ShippedDirectory, "t10k-images-idx3-ubyte.gz", i))).ToArray();

        var (classes, logits) = MlNetPipeline.Classify(file, model, images.Select(png => model.ReadPixels(new MemoryStream(png))));

        Assert.Equal(images.Length, classes.Length);
        for (var i = 0; i < images.Length; i++)
        {
            var prediction = model.Predict(new MemoryStream(images[i]));
            Assert.Equal(prediction.ClassIndex, classes[i]);
            var max = logits[i].Max();
            var sum = logits[i].Sum(l => Math.Exp(l - max));
            for (var c = 0; c < logits[i].Length; c++)
            {
                Assert.Equal(prediction.Probabilities[c], Math.Exp(logits[i][c] - max) / sum, 5);
            }
        }
        Assert.True(logits.Select(l => l[0]).Max() - logits.Select(l => l[0]).Min() > 0.1f, "the logits barely vary across images");
    }
}
