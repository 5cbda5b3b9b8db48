using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// A DARTS cell with a fixed genotype: 8 ops (2 per node), each node the sum of its two op outputs (drop-path per
/// op output), output the channel concat of the 4 nodes. Its ops have the same types and state-dict layout as the
/// search cell's, so trained weights copy across.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class FixedCell : nn.Module
{
    private readonly Operation preprocess0;
    private readonly Operation preprocess1;
    private readonly ModuleList<Operation> ops;
    private readonly GenotypeEdge[] genes;

    public FixedCell(CellPlan plan, IReadOnlyList<GenotypeEdge> genes)
        : base(nameof(FixedCell))
    {
        Type = plan.Type;
        this.genes = genes.ToArray();
        preprocess0 = plan.ReductionPrev
            ? new FactorizedReduce(plan.PrevPrevChannels, plan.Channels)
            : new ReluConvBn(plan.PrevPrevChannels, plan.Channels);
        preprocess1 = new ReluConvBn(plan.PrevChannels, plan.Channels);
        ops = new ModuleList<Operation>(this.genes
            .Select(g => Operations.Create(g.Op, plan.Channels, CellTopology.Stride(plan.Reduction, g.Input)))
            .ToArray());
        RegisterComponents();
    }

    public CellType Type { get; }

    public Operation Preprocess0 => preprocess0;

    public Operation Preprocess1 => preprocess1;

    /// <summary>The op of genotype entry <paramref name="index"/> (entries 2i, 2i+1 belong to node i).</summary>
    public Operation Op(int index) => ops[index];

    public Tensor Forward(Tensor s0, Tensor s1, double dropPath)
    {
        using var scope = NewDisposeScope();
        var states = new List<Tensor> { preprocess0.call(s0), preprocess1.call(s1) };
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            Tensor? sum = null;
            for (var k = Genotype.EdgesPerNode * node; k < Genotype.EdgesPerNode * (node + 1); k++)
            {
                var output = DropPath.Apply(ops[k].call(states[genes[k].Input]), dropPath, training);
                sum = sum is null ? output : sum.add_(output);
            }
            states.Add(sum!);
        }
        return cat(states.GetRange(2, CellTopology.Nodes), 1).MoveToOuterDisposeScope();
    }
}
