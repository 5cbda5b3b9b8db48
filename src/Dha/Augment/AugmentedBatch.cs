using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>The output of one <see cref="BatchAugmenter"/> work item.</summary>
/// <param name="Images">float32 [B, C, H, W], normalised.</param>
/// <param name="OpPairs">int64 [B, 2], the (first, second) augmentation op applied to each image; null when the policy is off.</param>
internal sealed record AugmentedBatch(Tensor Images, Tensor? OpPairs);
