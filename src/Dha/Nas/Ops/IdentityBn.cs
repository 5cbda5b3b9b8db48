using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// <c>skip_connect</c> at stride 1: identity followed by a batch norm, so the skip's scalar weight folds into a BN
/// like every other op's (and drop-path never writes into the cell's input state).
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class IdentityBn : Operation
{
    private readonly BatchNorm2d bn;

    public IdentityBn(int channels)
        : base(nameof(IdentityBn))
    {
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn;

    public override Tensor forward(Tensor input) => bn.call(input);
}
