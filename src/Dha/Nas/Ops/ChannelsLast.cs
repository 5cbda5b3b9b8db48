using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Puts a feature map in NHWC ("channels last") memory order while keeping its NCHW shape. libtorch's CPU kernels
/// for depthwise convolutions, 1×1 convolutions and max pooling are 2-4× faster in this order at the sizes we train
/// (bench ops), and every op of a cell keeps its input's order, so converting the stem output once is enough.
/// TorchSharp 0.107 has no <c>memory_format</c> argument, hence the permute round trip.
/// </summary>
internal static class ChannelsLast
{
    public static Tensor ToChannelsLast(this Tensor features) =>
        features.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
}
