using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>Dilated separable convolution: ReLU → depthwise k×k dilation 2 (stride s) → pointwise 1×1 → BN.</summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class DilConv : Operation
{
    private readonly Conv2d depthwise;
    private readonly Conv2d pointwise;
    private readonly BatchNorm2d bn;

    public DilConv(int channels, int kernel, int stride, int padding, int dilation)
        : base(nameof(DilConv))
    {
        depthwise = nn.Conv2d(channels, channels, kernel, stride: stride, padding: padding, dilation: dilation, groups: channels, bias: false);
        pointwise = nn.Conv2d(channels, channels, 1, bias: false);
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return bn.call(pointwise.call(depthwise.call(nn.functional.relu(input)))).MoveToOuterDisposeScope();
    }
}
