using TorchSharp;

namespace Dha.Data;

/// <summary>
/// Turns a batch of uint8 images into the float tensor a network trains on (normalised, possibly augmented).
/// The batch loader calls <see cref="Prepare"/> on its caller's thread, in batch order, and may run the returned
/// work on a background thread: anything the transform reads that can change between steps (the augmentation
/// policy's sampling matrix, the magnitude) must be captured by <see cref="Prepare"/>, so the result does not
/// depend on thread timing.
/// </summary>
public interface IBatchTransform
{
    /// <param name="seed">The seed of this batch (from <see cref="Seeds"/>); all randomness must come from it.</param>
    /// <returns>The work that transforms one uint8 batch [B, C, H, W].</returns>
    Func<torch.Tensor, TransformedBatch> Prepare(int seed);
}

/// <summary>The output of an <see cref="IBatchTransform"/>.</summary>
/// <param name="Images">float32 [B, C, H, W], normalised.</param>
/// <param name="OpPairs">int64 [B, 2], the (first, second) augmentation op applied to each image, or null.</param>
public sealed record TransformedBatch(torch.Tensor Images, torch.Tensor? OpPairs);
