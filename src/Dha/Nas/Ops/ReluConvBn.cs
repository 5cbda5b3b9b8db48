using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>ReLU → 1×1 conv → BN: the cell-input preprocessing that maps C_pp or C_p channels to C.</summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class ReluConvBn : Operation
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    public ReluConvBn(int inChannels, int outChannels)
        : base(nameof(ReluConvBn))
    {
        conv = nn.Conv2d(inChannels, outChannels, 1, bias: false);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return bn.call(conv.call(nn.functional.relu(input))).MoveToOuterDisposeScope();
    }
}
