using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// 3×3 max or average pooling (pad 1; average excludes the padding) followed by ONE batch norm (design §3 #10: the
/// reference stacks two BNs). The BN gives the pool a place to absorb its scalar weight.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class PoolBn : Operation
{
    private readonly nn.Module<Tensor, Tensor> pool;
    private readonly BatchNorm2d bn;

    public PoolBn(bool max, int channels, int stride)
        : base(max ? "MaxPoolBn" : "AvgPoolBn")
    {
        pool = max
            ? nn.MaxPool2d(3, stride: stride, padding: 1)
            : nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false);
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn;

    public override Tensor forward(Tensor input)
    {
        using var pooled = pool.call(input);
        return bn.call(pooled);
    }
}
