using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Halves the spatial size without losing half the pixels: ReLU, two 1×1 stride-2 convs (the second on the input
/// shifted by one pixel in both directions), channel concat, BN. Used as <c>skip_connect</c> at stride 2 and as the
/// s0 preprocessing after a reduction cell. An odd-sized input gets one zero row and column at the end first, so both
/// halves have ⌈n/2⌉ pixels (like the other stride-2 ops); on even sizes this equals DARTS's <c>x[:, :, 1:, 1:]</c>.
/// <para>
/// The stride is taken by slicing before stride-1 convolutions, not by the convolutions: libtorch 2.10's oneDNN
/// backward of a 1×1 stride-2 convolution on a channels-last map corrupts the heap on even sizes (28, 14; found
/// with MALLOC_CHECK_=3). The result is the same, and the convolutions see a quarter of the pixels.
/// </para>
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class FactorizedReduce : Operation
{
    private readonly Conv2d conv_1;
    private readonly Conv2d conv_2;
    private readonly BatchNorm2d bn;

    public FactorizedReduce(int inChannels, int outChannels)
        : base(nameof(FactorizedReduce))
    {
        var half = outChannels / 2;
        conv_1 = nn.Conv2d(inChannels, half, 1, bias: false);
        conv_2 = nn.Conv2d(inChannels, outChannels - half, 1, bias: false);
        bn = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    public override BatchNorm2d LastNorm => bn;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(input);
        if (x.shape[2] % 2 == 1 || x.shape[3] % 2 == 1)
        {
            x = nn.functional.pad(x, (0, x.shape[3] % 2, 0, x.shape[2] % 2)).ToChannelsLast();
        }
        var even = x[.., .., TensorIndex.Slice(0, null, 2), TensorIndex.Slice(0, null, 2)];
        var odd = x[.., .., TensorIndex.Slice(1, null, 2), TensorIndex.Slice(1, null, 2)];
        var joined = cat([conv_1.call(even), conv_2.call(odd)], 1);
        return bn.call(joined).MoveToOuterDisposeScope();
    }
}
