using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// A DARTS cell in search mode: preprocessing of the two inputs, 14 mixed edges, and per node the sum over its
/// support entries of scalar · op(state), with drop-path per op output. Output: channel concat of the 4 nodes.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class SearchCell : nn.Module
{
    private readonly Operation preprocess0;
    private readonly Operation preprocess1;
    private readonly ModuleList<MixedOp> edges;

    public SearchCell(CellPlan plan, bool poolExtraBn = false)
        : base(nameof(SearchCell))
    {
        Type = plan.Type;
        preprocess0 = plan.ReductionPrev
            ? new FactorizedReduce(plan.PrevPrevChannels, plan.Channels)
            : new ReluConvBn(plan.PrevPrevChannels, plan.Channels);
        preprocess1 = new ReluConvBn(plan.PrevChannels, plan.Channels);
        var list = new List<MixedOp>();
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            for (var input = 0; input < CellTopology.InputCount(node); input++)
            {
                list.Add(new MixedOp(plan.Channels, CellTopology.Stride(plan.Reduction, input), poolExtraBn));
            }
        }
        edges = new ModuleList<MixedOp>(list.ToArray());
        RegisterComponents();
    }

    public CellType Type { get; }

    public Operation Preprocess0 => preprocess0;

    public Operation Preprocess1 => preprocess1;

    public MixedOp Edge(int node, int input) => edges[CellTopology.EdgeIndex(node, input)];

    public IEnumerable<MixedOp> Edges => edges;

    public Tensor Forward(Tensor s0, Tensor s1, Architecture architecture, double dropPath, Generator? dropPathGenerator = null)
    {
        using var scope = NewDisposeScope();
        var states = new List<Tensor> { preprocess0.call(s0), preprocess1.call(s1) };
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            Tensor? sum = null;
            foreach (var entry in architecture.Support(Type, node))
            {
                var output = Edge(node, entry.Input).Run(entry.Op, states[entry.Input]).mul(entry.Scalar);
                output = DropPath.Apply(output, dropPath, training, dropPathGenerator);
                sum = sum is null ? output : sum.add_(output);
            }
            states.Add(sum ?? zeros_like(states[1]));
        }
        return cat(states.GetRange(2, CellTopology.Nodes), 1).MoveToOuterDisposeScope();
    }
}
