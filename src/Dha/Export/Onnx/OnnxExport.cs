using System.Text.Json;
using Google.Protobuf;
using Onnx;

namespace Dha.Export;

/// <summary>
/// Writes a saved model as an ONNX file (opset 13) that runs without TorchSharp: the genotype network in eval mode
/// (no auxiliary head, no drop-path, batch norms with their running statistics, op scalars already folded into
/// them), with the model's normalisation inside the graph. Input <c>image</c>: float32 [N, C, H, W] (NCHW) holding
/// pixel / 255, i.e. values in [0, 1], channels in the order the model was trained on (RGB, or one grey channel), at
/// the model's image size. Output <c>logits</c>: float32 [N, classes], before softmax. The class names are in the
/// model's metadata (<c>class_names</c>, a JSON array), with the preprocessing rule in words
/// (<c>preprocessing</c>).
/// </summary>
internal static class OnnxExport
{
    /// <summary>The ONNX operator set the graph is written for.</summary>
    public const int Opset = 13;

    /// <summary>Name of the graph input.</summary>
    public const string InputName = "image";

    /// <summary>Name of the graph output.</summary>
    public const string OutputName = "logits";

    /// <summary>The metadata key of the class names (a JSON array of strings, in class index order).</summary>
    public const string ClassNamesKey = "class_names";

    /// <summary>The metadata key of the preprocessing rule, in words.</summary>
    public const string PreprocessingKey = "preprocessing";

    // the IR version of the opset 13 release: readers as old as the opset accept the file
    private const long IrVersion = 7;

    /// <summary>Writes <paramref name="bundle"/>'s network to <paramref name="path"/> (through a temporary file).</summary>
    public static void Write(ModelBundle bundle, string path)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (Directory.Exists(path))
        {
            throw new InvalidInputException($"{path}: is a folder; give the path of the .onnx file to write");
        }
        var model = Build(bundle);
        AtomicFile.Write(path, model.WriteTo);
    }

    internal static ModelProto Build(ModelBundle bundle)
    {
        var manifest = bundle.Manifest;
        var graph = new GraphProto { Name = "dha" };
        graph.Input.Add(FloatTensor(InputName, manifest.InputChannels, manifest.ImageSize, manifest.ImageSize));
        graph.Output.Add(FloatTensor(OutputName, manifest.Classes));
        var builder = new OnnxGraphBuilder(graph);
        var normalised = builder.Div(builder.Sub(InputName, builder.PerChannel(manifest.Mean)), builder.PerChannel(manifest.Std));
        OnnxNetworkNodes.Network(builder, bundle.Network, normalised, OutputName);

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "dha",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"DHA genotype network {manifest.Genotype}; input '{InputName}': float32 NCHW, pixel / 255 in [0, 1]; output '{OutputName}': logits",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ClassNamesKey, Value = JsonSerializer.Serialize(manifest.ClassNames) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = "genotype", Value = manifest.Genotype });
        model.MetadataProps.Add(new StringStringEntryProto { Key = PreprocessingKey, Value = Preprocessing(manifest) });
        return model;
    }

    /// <summary>
    /// How an image file becomes the input, in words, so a reader without this library can feed the model as training
    /// did (the rule of <c>Data/SquareImage.cs</c>, which Dha.Onnx runs).
    /// </summary>
    private static string Preprocessing(ModelManifest manifest)
    {
        var s = manifest.ImageSize;
        var colour = manifest.InputChannels == 1 ? "one grey channel, L = round((R*299 + G*587 + B*114) / 1000)" : "RGB";
        return $"decode the image; scale its shorter side to {s} px and crop the centre {s}x{s} (bilinear); {colour}; "
            + $"input = pixel / 255 as float32 NCHW; the normalisation (x - mean) / std with mean {JsonSerializer.Serialize(manifest.Mean)} "
            + $"and std {JsonSerializer.Serialize(manifest.Std)} is inside the graph";
    }

    /// <summary>A float32 tensor value of shape [batch, <paramref name="dims"/>…], the batch size left free.</summary>
    private static ValueInfoProto FloatTensor(string name, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
