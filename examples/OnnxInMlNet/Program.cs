using Dha.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;

// OnnxInMlNet MODEL.onnx IMAGE...: the class of each image, scored by ML.NET's ApplyOnnxModel.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: OnnxInMlNet MODEL.onnx IMAGE...");
    return 2;
}
try
{
    // the model file says its input size, channels and class names; its pixels come from the rule of training
    using var model = OnnxImageClassifier.Load(args[0]);
    var rows = args[1..].Select(path => new ImageRow { Path = path, Image = model.ReadPixels(path) }).ToList();

    var ml = new MLContext();
    var schema = SchemaDefinition.Create(typeof(ImageRow));
    schema[OnnxImageClassifier.InputName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Channels, model.ImageSize, model.ImageSize);
    var data = ml.Data.LoadFromEnumerable(rows, schema);
    var pipeline = ml.Transforms.ApplyOnnxModel(
        outputColumnNames: [OnnxImageClassifier.OutputName],
        inputColumnNames: [OnnxImageClassifier.InputName],
        modelFile: args[0],
        // the graph's batch dimension is free; ML.NET scores one row at a time
        shapeDictionary: new Dictionary<string, int[]> { [OnnxImageClassifier.InputName] = [1, model.Channels, model.ImageSize, model.ImageSize] },
        gpuDeviceId: null,
        fallbackToCpu: false,
        recursionLimit: 100);
    using var transformer = pipeline.Fit(data);
    foreach (var row in ml.Data.CreateEnumerable<ScoredRow>(transformer.Transform(data), reuseRowObject: false))
    {
        var best = Array.IndexOf(row.Logits, row.Logits.Max());
        Console.WriteLine($"{row.Path}\t{model.ClassNames[best]}");
    }
    return 0;
}
catch (OnnxInputException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

/// <summary>One image as the pipeline's input row: the model's pixels, float32 [C, S, S].</summary>
internal sealed class ImageRow
{
    public string Path { get; set; } = "";

    [ColumnName(OnnxImageClassifier.InputName)]
    public float[] Image { get; set; } = [];
}

/// <summary>A scored row: the graph's logits beside the image's path.</summary>
internal sealed class ScoredRow
{
    public string Path { get; set; } = "";

    [ColumnName(OnnxImageClassifier.OutputName)]
    public float[] Logits { get; set; } = [];
}
