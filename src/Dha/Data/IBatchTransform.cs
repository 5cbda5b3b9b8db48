using TorchSharp;

namespace Dha.Data;

/// <summary>
/// Turns a batch of uint8 images into the float tensor a network trains on (normalised, possibly augmented).
/// The batch loader calls <see cref="Prepare"/> on its caller's thread, in batch order, and may run the returned
/// work on a background thread: anything the transform reads that can change between steps (the augmentation
/// policy's sampling matrix, the magnitude) must be captured by <see cref="Prepare"/>, so the result does not
/// depend on thread timing. Whatever else a transform wants to remember about a batch it keeps itself: the loader
/// hands out images and labels only.
/// </summary>
internal interface IBatchTransform
{
    /// <param name="seed">The seed of this batch (from <see cref="Seeds"/>); all randomness must come from it.</param>
    /// <returns>The work that turns one uint8 batch [B, C, H, W] into normalised float32 images [B, C, H, W].</returns>
    Func<torch.Tensor, torch.Tensor> Prepare(int seed);
}
