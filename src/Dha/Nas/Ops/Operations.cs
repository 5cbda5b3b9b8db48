using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>The one table that maps a <see cref="Primitive"/> to its module (DARTS's <c>OPS</c>).</summary>
internal static class Operations
{
    /// <param name="primitive">Which op.</param>
    /// <param name="channels">C, in and out.</param>
    /// <param name="stride">1 or 2.</param>
    /// <param name="poolExtraBn">The pools get a second BN, as the authors' search cells have (design §3 #10).</param>
    public static Operation Create(Primitive primitive, int channels, int stride, bool poolExtraBn = false) => primitive switch
    {
        Primitive.MaxPool3x3 => new PoolBn(max: true, channels, stride, poolExtraBn),
        Primitive.AvgPool3x3 => new PoolBn(max: false, channels, stride, poolExtraBn),
        Primitive.SkipConnect => stride == 1 ? new IdentityBn(channels) : new FactorizedReduce(channels, channels),
        Primitive.SepConv3x3 => new SepConv(channels, 3, stride, 1),
        Primitive.SepConv5x5 => new SepConv(channels, 5, stride, 2),
        Primitive.DilConv3x3 => new DilConv(channels, 3, stride, 2, 2),
        Primitive.DilConv5x5 => new DilConv(channels, 5, stride, 4, 2),
        _ => throw new ArgumentOutOfRangeException(nameof(primitive), primitive, "unknown primitive"),
    };

    /// <summary>Copies every parameter and buffer of <paramref name="source"/> into the same-named tensor of <paramref name="target"/>.</summary>
    public static void CopyState(nn.Module source, nn.Module target)
    {
        using var noGrad = no_grad();
        var from = source.state_dict();
        var to = target.state_dict();
        if (from.Count != to.Count)
        {
            throw new InvalidOperationException($"{source.GetName()} → {target.GetName()}: state dicts differ in size");
        }
        foreach (var (key, value) in from)
        {
            to[key].copy_(value);
        }
    }
}
