using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Export;

/// <summary>
/// Appends ONNX nodes for TorchSharp layers to one graph, in inference form, with the layers' weights as float
/// initializers. Every method takes the name of its input value and returns the name of its output value, so a
/// network's forward code translates line by line. Layer attributes (kernel, stride, padding, dilation, groups,
/// epsilon, count_include_pad) are read from the modules, never restated.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private int _counter;

    public OnnxGraphBuilder(GraphProto graph)
    {
        _graph = graph;
    }

    /// <summary>Convolution without bias (the batch norm that follows carries the shift).</summary>
    public string Conv(string input, Conv2d conv)
    {
        if (conv.bias is not null)
        {
            throw new NotSupportedException("ONNX export: convolutions with a bias do not occur in this search space");
        }
        var padding = conv.padding ?? throw new NotSupportedException("ONNX export: convolutions need explicit padding");
        return Node("Conv", [input, Initializer(conv.weight!)],
            Ints("kernel_shape", conv.kernel_size),
            Ints("strides", conv.stride),
            Ints("pads", [padding[0], padding[1], padding[0], padding[1]]),
            Ints("dilations", conv.dilation),
            Int("group", conv.groups));
    }

    /// <summary>Batch norm with its running statistics (eval mode).</summary>
    public string BatchNorm(string input, BatchNorm2d bn) =>
        Node("BatchNormalization",
            [input, Initializer(bn.weight!), Initializer(bn.bias!), Initializer(bn.running_mean!), Initializer(bn.running_var!)],
            Float("epsilon", (float)bn.eps));

    public string Relu(string input) => Node("Relu", [input]);

    public string Add(string left, string right) => Node("Add", [left, right]);

    public string Sub(string left, string right) => Node("Sub", [left, right]);

    public string Div(string left, string right) => Node("Div", [left, right]);

    public string Concat(IEnumerable<string> inputs) => Node("Concat", [.. inputs], Int("axis", 1));

    public string MaxPool(string input, MaxPool2d pool) =>
        Node("MaxPool", [input], Ints("kernel_shape", pool.kernel_size), Ints("strides", pool.stride ?? pool.kernel_size),
            Ints("pads", Pads(pool.padding)), Ints("dilations", pool.dilation ?? [1, 1]), Int("ceil_mode", pool.ceil_mode ? 1 : 0));

    /// <summary>Average pooling; ONNX's <c>count_include_pad</c> has torch's meaning (0: the divisor counts real pixels only).</summary>
    public string AvgPool(string input, AvgPool2d pool)
    {
        if (pool.divisor_override is not null)
        {
            throw new NotSupportedException("ONNX export: average pooling with a divisor override has no ONNX equivalent");
        }
        return Node("AveragePool", [input], Ints("kernel_shape", pool.kernel_size), Ints("strides", pool.stride ?? pool.kernel_size),
            Ints("pads", Pads(pool.padding)), Int("count_include_pad", pool.count_include_pad ? 1 : 0), Int("ceil_mode", pool.ceil_mode ? 1 : 0));
    }

    /// <summary>Appends <paramref name="rows"/> zero rows and <paramref name="columns"/> zero columns (NCHW).</summary>
    public string PadEnd(string input, long rows, long columns) =>
        Node("Pad", [input, Constant([0, 0, 0, 0, 0, 0, rows, columns])]);

    /// <summary><c>x[:, :, start::2, start::2]</c>: every second pixel in both directions.</summary>
    public string EverySecondPixel(string input, long start) =>
        Node("Slice", [input, Constant([start, start]), Constant([long.MaxValue, long.MaxValue]), Constant([2, 3]), Constant([2, 2])]);

    /// <summary>Global average pooling and flattening to [N, C], then the linear layer into <paramref name="output"/>.</summary>
    public void PooledLinear(string input, Linear linear, string output)
    {
        var pooled = Node("Flatten", [Node("GlobalAveragePool", [input])], Int("axis", 1));
        NamedNode(output, "Gemm", [pooled, Initializer(linear.weight!), Initializer(linear.bias!)], Int("transB", 1));
    }

    /// <summary>A float constant shaped [1, C, 1, 1], to broadcast per channel over NCHW.</summary>
    public string PerChannel(float[] values) =>
        AddInitializer(Dims([1, values.Length, 1, 1]), MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), TensorProto.Types.DataType.Float);

    /// <summary>Appends a node with one output named after its type; returns that output's name.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes) =>
        NamedNode($"{opType}_{++_counter}", opType, inputs, attributes);

    private string NamedNode(string output, string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    private string Initializer(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var values = tensor.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return AddInitializer(tensor.shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), TensorProto.Types.DataType.Float);
    }

    private string Constant(long[] values) =>
        AddInitializer([values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), TensorProto.Types.DataType.Int64);

    // raw_data is little-endian by the ONNX spec, as is every platform .NET runs this on
    private string AddInitializer(long[] dims, byte[] littleEndian, TensorProto.Types.DataType type)
    {
        var name = $"w_{++_counter}";
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(littleEndian) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static long[] Dims(int[] dims) => [.. dims.Select(d => (long)d)];

    private static long[] Pads(long[] padding) => [padding[0], padding[1], padding[0], padding[1]];

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
}
