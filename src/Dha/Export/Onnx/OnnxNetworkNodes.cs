using Dha.Nas;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Export;

/// <summary>
/// Translates a <see cref="FixedNetwork"/> in eval mode into ONNX nodes: each module's forward, line by line. What
/// eval mode skips is left out: the auxiliary head and drop-path. The op scalars of a search are already folded into
/// each op's last batch norm (<see cref="FixedNetwork.FromSearch"/>), and the channels-last memory order is not part
/// of the function, so the graph is plain NCHW.
/// </summary>
internal static class OnnxNetworkNodes
{
    /// <summary>Appends the network from the normalised input <paramref name="input"/> to the logits, named <paramref name="output"/>.</summary>
    public static void Network(OnnxGraphBuilder graph, FixedNetwork network, string input, string output)
    {
        var (s0, s1) = Stem(graph, network.Stem, input);
        foreach (var cell in network.Cells)
        {
            (s0, s1) = (s1, Cell(graph, cell, network.Genotype.Cell(cell.Type), s0, s1));
        }
        graph.PooledLinear(s1, network.Classifier, output);
    }

    private static (string S0, string S1) Stem(OnnxGraphBuilder graph, nn.Module stem, string input)
    {
        switch (stem)
        {
            case CifarStem:
                var s = graph.BatchNorm(graph.Conv(input, Child<Conv2d>(stem, "conv")), Child<BatchNorm2d>(stem, "bn"));
                return (s, s);
            case ImageNetStem:
                var a = graph.Relu(graph.BatchNorm(graph.Conv(input, Child<Conv2d>(stem, "conv0a")), Child<BatchNorm2d>(stem, "bn0a")));
                var s0 = graph.BatchNorm(graph.Conv(a, Child<Conv2d>(stem, "conv0b")), Child<BatchNorm2d>(stem, "bn0b"));
                var s1 = graph.BatchNorm(graph.Conv(graph.Relu(s0), Child<Conv2d>(stem, "conv1")), Child<BatchNorm2d>(stem, "bn1"));
                return (s0, s1);
            default:
                throw new NotSupportedException($"ONNX export: unknown stem {stem.GetName()}");
        }
    }

    private static string Cell(OnnxGraphBuilder graph, FixedCell cell, IReadOnlyList<GenotypeEdge> genes, string s0, string s1)
    {
        var states = new List<string> { Op(graph, cell.Preprocess0, s0), Op(graph, cell.Preprocess1, s1) };
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            var k = Genotype.EdgesPerNode * node;
            var first = Op(graph, cell.Op(k), states[genes[k].Input]);
            var second = Op(graph, cell.Op(k + 1), states[genes[k + 1].Input]);
            states.Add(graph.Add(first, second));
        }
        return graph.Concat(states.GetRange(2, CellTopology.Nodes));
    }

    private static string Op(OnnxGraphBuilder graph, Operation op, string input)
    {
        switch (op)
        {
            case ReluConvBn:
                return ConvBn(graph, op, graph.Relu(input), "conv", "bn");
            case SepConv:
                var x = ConvBn(graph, op, graph.Relu(input), "depthwise1", "pointwise1", "bn1");
                return ConvBn(graph, op, graph.Relu(x), "depthwise2", "pointwise2", "bn2");
            case DilConv:
                return ConvBn(graph, op, graph.Relu(input), "depthwise", "pointwise", "bn");
            case PoolBn:
                var pooled = Child<nn.Module>(op, "pool") switch
                {
                    MaxPool2d max => graph.MaxPool(input, max),
                    AvgPool2d avg => graph.AvgPool(input, avg),
                    var other => throw new NotSupportedException($"ONNX export: unknown pooling {other.GetName()}"),
                };
                return graph.BatchNorm(pooled, op.LastNorm);
            case IdentityBn:
                return graph.BatchNorm(input, op.LastNorm);
            case FactorizedReduce:
                // the even pixels never reach the padding; one zero row and column at the end (which the module adds
                // only to odd sizes) is never read by the odd half of an even size, so padding always is exact
                var relu = graph.Relu(input);
                var even = graph.Conv(graph.EverySecondPixel(relu, 0), Child<Conv2d>(op, "conv_1"));
                var odd = graph.Conv(graph.EverySecondPixel(graph.PadEnd(relu, 1, 1), 1), Child<Conv2d>(op, "conv_2"));
                return graph.BatchNorm(graph.Concat([even, odd]), op.LastNorm);
            default:
                throw new NotSupportedException($"ONNX export: unknown operation {op.GetName()}");
        }
    }

    /// <summary>Convolutions in order, then the batch norm named last.</summary>
    private static string ConvBn(OnnxGraphBuilder graph, Operation op, string input, params string[] names)
    {
        var x = input;
        foreach (var conv in names[..^1])
        {
            x = graph.Conv(x, Child<Conv2d>(op, conv));
        }
        return graph.BatchNorm(x, Child<BatchNorm2d>(op, names[^1]));
    }

    // module fields are registered under their names, the same names the state dict and weights.bin use
    private static T Child<T>(nn.Module module, string name)
        where T : nn.Module =>
        module.named_children().FirstOrDefault(child => child.name == name).module as T
        ?? throw new InvalidOperationException($"ONNX export: {module.GetName()} has no {typeof(T).Name} named '{name}'");
}
