namespace Dha.Nas;

/// <summary>
/// Parameter count of a genotype network (excluding the auxiliary head) computed from the layout alone, without
/// building modules. The encoder's parameter-limit test runs it once per epoch on the 3.3 M-parameter reference
/// network; tests check it against <see cref="FixedNetwork.ParameterCount"/>.
/// </summary>
internal static class ParameterCounter
{
    public static long Count(NetworkShape shape, Genotype genotype)
    {
        var layout = new MacroLayout(shape);
        var total = Stem(shape, layout);
        foreach (var plan in layout.Cells)
        {
            total += Preprocess(plan);
            foreach (var gene in genotype.Cell(plan.Type))
            {
                total += Op(gene.Op, plan.Channels, CellTopology.Stride(plan.Reduction, gene.Input));
            }
        }
        return total + Classifier(shape, layout);
    }

    /// <summary>The stem's convolutions and BNs.</summary>
    public static long Stem(NetworkShape shape, MacroLayout layout)
    {
        long c = shape.Channels;
        if (shape.IsLargeImage)
        {
            var half = Math.Max(1, c / 2);
            return (shape.InputChannels * half * 9) + (2 * half) + (half * c * 9) + (2 * c) + (c * c * 9) + (2 * c);
        }
        return (shape.InputChannels * layout.StemChannels * 9L) + (2L * layout.StemChannels);
    }

    /// <summary>A cell's two input convolutions (ReLU-Conv-BN or FactorizedReduce: the same count).</summary>
    public static long Preprocess(CellPlan plan)
    {
        long cell = plan.Channels;
        return ((long)plan.PrevPrevChannels * cell) + (2 * cell) + ((long)plan.PrevChannels * cell) + (2 * cell);
    }

    /// <summary>The final linear classifier.</summary>
    public static long Classifier(NetworkShape shape, MacroLayout layout) => ((long)layout.FinalChannels * shape.Classes) + shape.Classes;

    public static long Op(Primitive op, long c, int stride) => op switch
    {
        Primitive.MaxPool3x3 or Primitive.AvgPool3x3 => 2 * c,
        Primitive.SkipConnect => stride == 1 ? 2 * c : (c * c) + (2 * c),
        Primitive.SepConv3x3 => 2 * ((c * 9) + (c * c) + (2 * c)),
        Primitive.SepConv5x5 => 2 * ((c * 25) + (c * c) + (2 * c)),
        Primitive.DilConv3x3 => (c * 9) + (c * c) + (2 * c),
        Primitive.DilConv5x5 => (c * 25) + (c * c) + (2 * c),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown primitive"),
    };
}
