using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The deployable network of a genotype: the search network's layout with only the 8 chosen ops per cell type.
/// Built either fresh from (shape, genotype), e.g. to load saved weights with <c>load</c>, or from a trained search
/// network by <see cref="FromSearch"/>, which copies the weights and folds each op's scalar into the op's last BN
/// so both networks compute the same function in eval mode.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class FixedNetwork : nn.Module<Tensor, (Tensor Logits, Tensor? Aux)>
{
    private readonly nn.Module<Tensor, (Tensor S0, Tensor S1)> stem;
    private readonly ModuleList<FixedCell> cells;
    private readonly AuxiliaryHead? auxHead;
    private readonly Linear classifier;

    /// <summary>Builds the network with freshly initialised weights (torch's global generator).</summary>
    public FixedNetwork(NetworkShape shape, Genotype genotype)
        : base(nameof(FixedNetwork))
    {
        var layout = new MacroLayout(shape);
        Shape = shape;
        Genotype = genotype;
        stem = layout.CreateStem();
        cells = new ModuleList<FixedCell>(layout.Cells.Select(plan => new FixedCell(plan, genotype.Cell(plan.Type))).ToArray());
        auxHead = layout.CreateAuxiliaryHead();
        classifier = layout.CreateClassifier();
        RegisterComponents();
    }

    public NetworkShape Shape { get; }

    public Genotype Genotype { get; }

    internal nn.Module<Tensor, (Tensor S0, Tensor S1)> Stem => stem;

    internal IEnumerable<FixedCell> Cells => cells;

    internal Linear Classifier => classifier;

    /// <summary>The state-dict keys of the auxiliary head (none without one): what a deployed model leaves out.</summary>
    internal IList<string> AuxiliaryStateKeys() =>
        auxHead is null ? [] : [.. auxHead.state_dict().Keys.Select(key => $"{nameof(auxHead)}.{key}")];

    /// <summary>Per-sample drop-path probability for each op output (training mode only).</summary>
    public double DropPathProbability { get; set; }

    /// <summary>
    /// The deployable network of a trained search network: every weight (stem, preprocessing, the genotype's ops,
    /// auxiliary head, classifier) and BN running statistics are copied, and each op's scalar a is folded into the
    /// op's last BN (γ ← aγ, β ← aβ; exact for any sign of a, since the scalar multiplies that BN's output). A pool
    /// op with the reference's two BNs becomes the one-BN pool of their composition (<see cref="PoolBn.CopyComposedInto"/>).
    /// <paramref name="architecture"/> must be the one the search network computed with (same scalars), and its
    /// support must equal <paramref name="genotype"/>. Torch's global generator is left as it was.
    /// </summary>
    internal static FixedNetwork FromSearch(SearchNetwork network, Architecture architecture, Genotype genotype)
    {
        if (!architecture.Matches(genotype))
        {
            throw new ArgumentException($"FixedNetwork.FromSearch: the architecture's support differs from the genotype {genotype}");
        }
        var dtype = network.parameters().First().dtype;
        FixedNetwork fixedNetwork;
        using (var rngState = random.get_rng_state())
        {
            fixedNetwork = new FixedNetwork(network.Shape, genotype);
            random.set_rng_state(rngState);
        }
        fixedNetwork.to(dtype);
        Operations.CopyState(network.Stem, fixedNetwork.stem);
        Operations.CopyState(network.Classifier, fixedNetwork.classifier);
        if (network.AuxHead is not null && fixedNetwork.auxHead is not null)
        {
            Operations.CopyState(network.AuxHead, fixedNetwork.auxHead);
        }
        using var noGrad = no_grad();
        for (var i = 0; i < fixedNetwork.cells.Count; i++)
        {
            var source = network.Cell(i);
            var target = fixedNetwork.cells[i];
            Operations.CopyState(source.Preprocess0, target.Preprocess0);
            Operations.CopyState(source.Preprocess1, target.Preprocess1);
            for (var node = 0; node < CellTopology.Nodes; node++)
            {
                for (var k = Genotype.EdgesPerNode * node; k < Genotype.EdgesPerNode * (node + 1); k++)
                {
                    var gene = genotype.Cell(target.Type)[k];
                    var entry = architecture.Support(target.Type, node).First(e => e.Input == gene.Input && e.Op == gene.Op);
                    var op = target.Op(k);
                    if (source.Edge(node, gene.Input)[gene.Op] is PoolBn { HasExtraBn: true } twoNorms)
                    {
                        twoNorms.CopyComposedInto((PoolBn)op);
                    }
                    else
                    {
                        Operations.CopyState(source.Edge(node, gene.Input)[gene.Op], op);
                    }
                    var scalar = entry.Scalar.ToDouble();
                    op.LastNorm.weight!.mul_(scalar);
                    op.LastNorm.bias!.mul_(scalar);
                }
            }
        }
        fixedNetwork.train(network.training);
        return fixedNetwork;
    }

    /// <summary>Logits, and the auxiliary logits in training mode when the shape has an auxiliary head (else null).</summary>
    public override (Tensor Logits, Tensor? Aux) forward(Tensor images)
    {
        SearchNetwork.CheckInput(images, Shape, nameof(FixedNetwork));
        using var scope = NewDisposeScope();
        var (s0, s1) = stem.call(images);
        Tensor? aux = null;
        for (var i = 0; i < cells.Count; i++)
        {
            (s0, s1) = (s1, cells[i].Forward(s0, s1, DropPathProbability));
            if (i == Shape.SecondReduction && auxHead is not null && training)
            {
                aux = auxHead.call(s1);
            }
        }
        var logits = classifier.call(nn.functional.adaptive_avg_pool2d(s1, 1).flatten(1));
        return (logits.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    /// <summary>Number of parameters, excluding the auxiliary head (which deployment drops), as DARTS counts them.</summary>
    public long ParameterCount()
    {
        var aux = auxHead?.parameters().Select(p => p.Handle).ToHashSet() ?? [];
        return parameters().Where(p => !aux.Contains(p.Handle)).Sum(p => p.numel());
    }

    /// <summary>
    /// Multiply-adds of one image of the shape's size through the network (convolutions and linear layers, as
    /// DARTS reports them; BN, pooling and additions are not counted; the auxiliary head is excluded).
    /// Measured by running one zero image in eval mode with forward hooks on every conv and linear layer.
    /// </summary>
    public long MultiplyAdds()
    {
        long total = 0;
        var removers = new List<Action>();
        foreach (var module in modules())
        {
            if (module is Conv2d conv)
            {
                var hook = conv.register_forward_hook((m, input, output) =>
                {
                    var w = conv.weight!.shape;
                    total += output.numel() / output.shape[0] * w[1] * w[2] * w[3];
                    return output;
                });
                removers.Add(hook.remove);
            }
            else if (module is Linear linear)
            {
                var hook = linear.register_forward_hook((m, input, output) =>
                {
                    total += output.numel() / output.shape[0] * linear.weight!.shape[1];
                    return output;
                });
                removers.Add(hook.remove);
            }
        }
        var wasTraining = training;
        try
        {
            eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var dtype = parameters().First().dtype;
            call(zeros([1, Shape.InputChannels, Shape.ImageSize, Shape.ImageSize], dtype));
        }
        finally
        {
            train(wasTraining);
            removers.ForEach(remove => remove());
        }
        return total;
    }
}
