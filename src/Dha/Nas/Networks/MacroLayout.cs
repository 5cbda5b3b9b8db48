using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Channel and spatial bookkeeping of the DARTS macro architecture, computed once from a <see cref="NetworkShape"/>
/// so the search network, the fixed network and the cost model lay cells out identically.
/// </summary>
internal sealed class MacroLayout
{
    public MacroLayout(NetworkShape shape)
    {
        shape.Validate();
        Shape = shape;
        var c = shape.Channels;
        int cpp, cp, size;
        bool reductionPrev;
        if (shape.IsLargeImage)
        {
            // stem0: two stride-2 convs; stem1: one more; the first cell treats its predecessor as a reduction.
            StemChannels = c;
            cpp = c;
            cp = c;
            size = Halve(Halve(Halve(shape.ImageSize)));
            reductionPrev = true;
        }
        else
        {
            StemChannels = 3 * c;
            cpp = 3 * c;
            cp = 3 * c;
            size = shape.ImageSize;
            reductionPrev = false;
        }
        StemSize = size;
        var cells = new List<CellPlan>();
        var current = c;
        for (var i = 0; i < shape.Layers; i++)
        {
            var reduction = shape.IsReduction(i);
            if (reduction)
            {
                current *= 2;
            }
            var inputSize = size;
            if (reduction)
            {
                size = Halve(size);
            }
            cells.Add(new CellPlan(cpp, cp, current, reduction, reductionPrev, inputSize, size));
            reductionPrev = reduction;
            cpp = cp;
            cp = CellTopology.Nodes * current;
            if (i == shape.SecondReduction)
            {
                AuxChannels = cp;
                AuxSize = size;
            }
        }
        Cells = cells;
        FinalChannels = cp;
        FinalSize = size;
    }

    public NetworkShape Shape { get; }

    public int StemChannels { get; }

    /// <summary>Spatial size of the stem outputs fed to the first cell.</summary>
    public int StemSize { get; }

    public IReadOnlyList<CellPlan> Cells { get; }

    public int AuxChannels { get; }

    public int AuxSize { get; }

    public int FinalChannels { get; }

    public int FinalSize { get; }

    /// <summary>Output size of a 3×3 stride-2 pad-1 conv (and of the padded FactorizedReduce): ⌈n/2⌉.</summary>
    public static int Halve(int n) => (n + 1) / 2;

    /// <summary>The stem both networks start with: ImageNet-style for large images, CIFAR-style otherwise.</summary>
    public nn.Module<Tensor, (Tensor S0, Tensor S1)> CreateStem() =>
        Shape.IsLargeImage
            ? new ImageNetStem(Shape.InputChannels, Shape.Channels)
            : new CifarStem(Shape.InputChannels, StemChannels);

    /// <summary>The auxiliary head after the second reduction, or null when the shape has none.</summary>
    public AuxiliaryHead? CreateAuxiliaryHead() =>
        Shape.Auxiliary ? new AuxiliaryHead(AuxChannels, AuxSize, Shape.Classes, Shape.IsLargeImage ? 2 : 3) : null;

    /// <summary>The final linear classifier on the pooled last cell.</summary>
    public Linear CreateClassifier() => nn.Linear(FinalChannels, Shape.Classes);
}

/// <summary>One cell's channels: C_pp (input s0), C_p (input s1), C (per node), and whether it and its predecessor reduce.</summary>
internal sealed record CellPlan(int PrevPrevChannels, int PrevChannels, int Channels, bool Reduction, bool ReductionPrev, int InputSize, int OutputSize)
{
    public CellType Type => Reduction ? CellType.Reduce : CellType.Normal;
}
