using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Drop-path as in DARTS: per sample, zero an op's output with probability p and scale the kept ones by 1/(1−p).
/// Applied in place to a freshly computed op output (after its scalar), only in training and when p &gt; 0. The mask
/// draws from <c>generator</c>, or torch's global one when it is null.
/// </summary>
internal static class DropPath
{
    public static Tensor Apply(Tensor x, double probability, bool training, Generator? generator = null)
    {
        if (!training || probability <= 0)
        {
            return x;
        }
        var keep = 1.0 - probability;
        using var mask = empty([x.shape[0], 1, 1, 1], x.dtype, x.device).bernoulli_(keep, generator);
        return x.div_(keep).mul_(mask);
    }
}
