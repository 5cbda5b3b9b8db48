using Dha.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Dha.Tests.Onnx;

/// <summary>
/// Classifies images inside an ML.NET pipeline: rows holding the pixels <see cref="OnnxImageClassifier.ReadPixels(string)"/>
/// gives, scored by <c>ApplyOnnxModel</c> on the exported file; the pipeline's argmax over the logits is the class.
/// </summary>
internal static class MlNetPipeline
{
    /// <summary>The class of every image, by ML.NET's <c>ApplyOnnxModel</c>; also the logits.</summary>
    public static (int[] Classes, float[][] Logits) Classify(string onnxFile, OnnxImageClassifier model, IEnumerable<float[]> pixels)
    {
        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[OnnxImageClassifier.InputName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Channels, model.ImageSize, model.ImageSize);
        var data = ml.Data.LoadFromEnumerable(pixels.Select(p => new ImageRow { Image = p }), schema);
        var pipeline = ml.Transforms.ApplyOnnxModel(
            outputColumnNames: [OnnxImageClassifier.OutputName],
            inputColumnNames: [OnnxImageClassifier.InputName],
            modelFile: onnxFile,
            shapeDictionary: new Dictionary<string, int[]> { [OnnxImageClassifier.InputName] = [1, model.Channels, model.ImageSize, model.ImageSize] },
            gpuDeviceId: null,
            fallbackToCpu: false,
            recursionLimit: 100);
        using var transformer = pipeline.Fit(data);
        var logits = ml.Data.CreateEnumerable<ScoredRow>(transformer.Transform(data), reuseRowObject: false).Select(row => row.Logits).ToArray();
        return ([.. logits.Select(l => Array.IndexOf(l, l.Max()))], logits);
    }

    private sealed class ImageRow
    {
        [ColumnName(OnnxImageClassifier.InputName)]
        public float[] Image { get; set; } = [];
    }

    private sealed class ScoredRow
    {
        [ColumnName(OnnxImageClassifier.OutputName)]
        public float[] Logits { get; set; } = [];
    }
}
