using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Stem for large images (≥ 128 px, DARTS's ImageNet network): stem0 = Conv3×3 s2 (C_in → C/2) + BN + ReLU +
/// Conv3×3 s2 (C/2 → C) + BN gives s0; stem1 = ReLU + Conv3×3 s2 (C → C) + BN on s0 gives s1 (1/8 resolution).
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class ImageNetStem : nn.Module<Tensor, (Tensor S0, Tensor S1)>
{
    private readonly Conv2d conv0a;
    private readonly BatchNorm2d bn0a;
    private readonly Conv2d conv0b;
    private readonly BatchNorm2d bn0b;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;

    public ImageNetStem(int inChannels, int channels)
        : base(nameof(ImageNetStem))
    {
        var half = Math.Max(1, channels / 2);
        conv0a = nn.Conv2d(inChannels, half, 3, stride: 2, padding: 1, bias: false);
        bn0a = nn.BatchNorm2d(half);
        conv0b = nn.Conv2d(half, channels, 3, stride: 2, padding: 1, bias: false);
        bn0b = nn.BatchNorm2d(channels);
        conv1 = nn.Conv2d(channels, channels, 3, stride: 2, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override (Tensor S0, Tensor S1) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var s0 = bn0b.call(conv0b.call(nn.functional.relu(bn0a.call(conv0a.call(input).ToChannelsLast()))));
        var s1 = bn1.call(conv1.call(nn.functional.relu(s0)));
        return (s0.MoveToOuterDisposeScope(), s1.MoveToOuterDisposeScope());
    }
}
