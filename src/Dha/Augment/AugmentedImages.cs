using Dha.Data;
using TorchSharp;

namespace Dha.Augment;

/// <summary>
/// A <see cref="BatchAugmenter"/> without a policy as the loader's transform: there are no op pairs to remember, so
/// unlike the search's <c>ScheduledAugmentation</c> nothing is kept per batch.
/// </summary>
internal sealed class AugmentedImages(BatchAugmenter augmenter) : IBatchTransform
{
    public Func<torch.Tensor, torch.Tensor> Prepare(int seed)
    {
        var work = augmenter.Prepare(seed);
        return pixels => work(pixels).Images;
    }
}
