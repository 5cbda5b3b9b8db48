using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The DHA supernet: stem, L cells (reductions at ⌊L/3⌋ and ⌊2L/3⌋), optional auxiliary head, global pooling and a
/// linear classifier. It holds network weights only; the architecture (support ops and their scalars) comes in
/// with every forward, so the encoder's codes and the weights stay two separate parameter sets.
/// Weight initialisation draws from torch's global generator (the trainer seeds it). Drop-path also uses it, unless
/// <see cref="DropPathGenerator"/> is set.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class SearchNetwork : nn.Module<Tensor, Architecture, (Tensor Logits, Tensor? Aux)>
{
    private readonly nn.Module<Tensor, (Tensor S0, Tensor S1)> stem;
    private readonly ModuleList<SearchCell> cells;
    private readonly AuxiliaryHead? auxHead;
    private readonly Linear classifier;

    /// <summary>Builds the supernet for <paramref name="shape"/> (every edge holds all 7 ops).</summary>
    /// <param name="shape">Input, width, depth and classes.</param>
    /// <param name="poolExtraBn">A second BN after each pool op's BN, as the authors' mixed ops have (design §3 #10).</param>
    public SearchNetwork(NetworkShape shape, bool poolExtraBn = false)
        : base(nameof(SearchNetwork))
    {
        var layout = new MacroLayout(shape);
        Shape = shape;
        PoolExtraBn = poolExtraBn;
        stem = layout.CreateStem();
        cells = new ModuleList<SearchCell>(layout.Cells.Select(plan => new SearchCell(plan, poolExtraBn)).ToArray());
        auxHead = layout.CreateAuxiliaryHead();
        classifier = layout.CreateClassifier();
        RegisterComponents();
    }

    public NetworkShape Shape { get; }

    /// <summary>Whether each pool op has the reference's second BN.</summary>
    public bool PoolExtraBn { get; }

    /// <summary>Per-sample drop-path probability for each op output (0 during search, ramped in the fixed phase).</summary>
    public double DropPathProbability { get; set; }

    /// <summary>The generator of the drop-path masks; null = torch's global one.</summary>
    public Generator? DropPathGenerator { get; set; }

    internal IEnumerable<SearchCell> Cells => cells;

    internal SearchCell Cell(int index) => cells[index];

    internal nn.Module Stem => stem;

    internal nn.Module? AuxHead => auxHead;

    internal nn.Module Classifier => classifier;

    /// <summary>Total op evaluations on all edges since the last <see cref="ResetOpInvocations"/>.</summary>
    internal long OpInvocations => cells.Sum(c => c.Edges.Sum(e => (long)e.Invocations.Sum()));

    internal void ResetOpInvocations()
    {
        foreach (var edge in cells.SelectMany(c => c.Edges))
        {
            Array.Clear(edge.Invocations);
        }
    }

    /// <summary>
    /// Makes the BN affine parameters (γ, β) of every op on the incoming edges of <paramref name="node"/> trainable,
    /// in every cell of <paramref name="type"/>. Called when that node's code freezes: from then on the BNs absorb
    /// the node's fixed scalars (ISTA-NAS; design §3 #7).
    /// </summary>
    public void UnfreezeNodeAffine(CellType type, int node)
    {
        CellTopology.CheckNode(node);
        foreach (var cell in cells.Where(c => c.Type == type))
        {
            for (var input = 0; input < CellTopology.InputCount(node); input++)
            {
                cell.Edge(node, input).SetAffineTrainable(true);
            }
        }
    }

    /// <summary>Logits, and the auxiliary logits in training mode when the shape has an auxiliary head (else null).</summary>
    public override (Tensor Logits, Tensor? Aux) forward(Tensor images, Architecture architecture)
    {
        CheckInput(images, Shape, nameof(SearchNetwork));
        using var scope = NewDisposeScope();
        var (s0, s1) = stem.call(images);
        Tensor? aux = null;
        for (var i = 0; i < cells.Count; i++)
        {
            (s0, s1) = (s1, cells[i].Forward(s0, s1, architecture, DropPathProbability, DropPathGenerator));
            if (i == Shape.SecondReduction && auxHead is not null && training)
            {
                aux = auxHead.call(s1);
            }
        }
        var logits = classifier.call(nn.functional.adaptive_avg_pool2d(s1, 1).flatten(1));
        return (logits.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope());
    }

    internal static void CheckInput(Tensor images, NetworkShape shape, string who)
    {
        if (images.dim() != 4 || images.shape[1] != shape.InputChannels || images.shape[2] != shape.ImageSize || images.shape[3] != shape.ImageSize)
        {
            throw new ArgumentException(
                $"{who}: expected images [B, {shape.InputChannels}, {shape.ImageSize}, {shape.ImageSize}], got [{string.Join(", ", images.shape)}]");
        }
    }
}
