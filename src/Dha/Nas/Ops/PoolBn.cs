using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// 3×3 max or average pooling (pad 1; average excludes the padding) followed by ONE batch norm (design §3 #10: the
/// reference stacks two BNs; <c>extraBn</c> adds the second for parity). The BN gives the pool a place to absorb its
/// scalar weight.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class PoolBn : Operation
{
    private readonly nn.Module<Tensor, Tensor> pool;
    private readonly BatchNorm2d bn;
    private readonly BatchNorm2d? bn2;

    public PoolBn(bool max, int channels, int stride, bool extraBn = false)
        : base(max ? "MaxPoolBn" : "AvgPoolBn")
    {
        pool = max
            ? nn.MaxPool2d(3, stride: stride, padding: 1)
            : nn.AvgPool2d(3, stride: stride, padding: 1, count_include_pad: false);
        bn = nn.BatchNorm2d(channels);
        bn2 = extraBn ? nn.BatchNorm2d(channels) : null;
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn2 ?? bn;

    /// <summary>Whether a second BN follows the first.</summary>
    public bool HasExtraBn => bn2 is not null;

    public override Tensor forward(Tensor input)
    {
        using var pooled = pool.call(input);
        if (bn2 is null)
        {
            return bn.call(pooled);
        }
        using var normalised = bn.call(pooled);
        return bn2.call(normalised);
    }

    /// <summary>
    /// Sets the one BN of <paramref name="target"/> to this op's two BNs composed, as they act in eval mode:
    /// bn2(bn1(u)) = γ₂·(γ₁·(u − μ₁)/s₁ + β₁ − μ₂)/s₂ + β₂ with s = √(σ² + ε), which is one BN with the statistics of
    /// the first, γ = γ₁γ₂/s₂ and β = γ₂·(β₁ − μ₂)/s₂ + β₂.
    /// </summary>
    public void CopyComposedInto(PoolBn target)
    {
        if (bn2 is null || target.bn2 is not null)
        {
            throw new InvalidOperationException("PoolBn.CopyComposedInto: needs a two-BN source and a one-BN target");
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var scale2 = bn2.weight! / (bn2.running_var! + bn2.eps).sqrt();
        target.bn.weight!.copy_(bn.weight! * scale2);
        target.bn.bias!.copy_(scale2 * (bn.bias! - bn2.running_mean!) + bn2.bias!);
        target.bn.running_mean!.copy_(bn.running_mean!);
        target.bn.running_var!.copy_(bn.running_var!);
        target.bn.num_batches_tracked!.copy_(bn.num_batches_tracked!);
    }
}
