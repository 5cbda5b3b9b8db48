using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// One mini-batch ready for the network. It is built on a background thread, so its tensors belong to no dispose
/// scope of the caller: dispose the batch (<c>using var batch = ...</c>) when the step is done.
/// </summary>
internal sealed class Batch : IDisposable
{
    /// <param name="images">float32 [B, C, H, W], normalised.</param>
    /// <param name="labels">int64 [B].</param>
    public Batch(Tensor images, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        Images = images;
        Labels = labels;
    }

    /// <summary>float32 [B, C, H, W], normalised.</summary>
    public Tensor Images { get; }

    /// <summary>int64 [B].</summary>
    public Tensor Labels { get; }

    public int Size => (int)Labels.shape[0];

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
