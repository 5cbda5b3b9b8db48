using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>Stem for small images (CIFAR, MNIST-like): Conv3×3 (C_in → 3C) + BN; both cell inputs get its output.</summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class CifarStem : nn.Module<Tensor, (Tensor S0, Tensor S1)>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    public CifarStem(int inChannels, int outChannels)
        : base(nameof(CifarStem))
    {
        conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override (Tensor S0, Tensor S1) forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var s = bn.call(conv.call(input)).ToChannelsLast().MoveToOuterDisposeScope();
        return (s, s);
    }
}
