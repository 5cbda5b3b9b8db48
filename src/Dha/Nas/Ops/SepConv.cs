using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Separable convolution, applied twice as in DARTS: 2 × [ReLU → depthwise k×k (stride only in the first) →
/// pointwise 1×1 → BN]. No conv bias (the BNs carry the shifts).
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class SepConv : Operation
{
    private readonly Conv2d depthwise1;
    private readonly Conv2d pointwise1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d depthwise2;
    private readonly Conv2d pointwise2;
    private readonly BatchNorm2d bn2;

    public SepConv(int channels, int kernel, int stride, int padding)
        : base(nameof(SepConv))
    {
        depthwise1 = nn.Conv2d(channels, channels, kernel, stride: stride, padding: padding, groups: channels, bias: false);
        pointwise1 = nn.Conv2d(channels, channels, 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        depthwise2 = nn.Conv2d(channels, channels, kernel, stride: 1, padding: padding, groups: channels, bias: false);
        pointwise2 = nn.Conv2d(channels, channels, 1, bias: false);
        bn2 = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn2;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = bn1.call(pointwise1.call(depthwise1.call(nn.functional.relu(input))));
        x = bn2.call(pointwise2.call(depthwise2.call(nn.functional.relu(x))));
        return x.MoveToOuterDisposeScope();
    }
}
