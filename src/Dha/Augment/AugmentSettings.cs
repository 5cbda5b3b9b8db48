namespace Dha.Augment;

/// <summary>
/// What a <see cref="BatchAugmenter"/> does to a batch. The same type describes the training pipeline
/// (random crop, flip, learned op pair, cutout) and the clean one used for validation and test images (design.md §3 #2: no
/// Cutout there), so both are built from one normalisation.
/// </summary>
/// <param name="Mean">Per-channel dataset mean in [0, 1] (1 or 3 values); also the fill colour round(255·mean) of the geometric ops.</param>
/// <param name="Std">Per-channel dataset standard deviation (&gt; 0).</param>
/// <param name="CutoutSize">Side of the Cutout square in pixels; 0 turns Cutout off.</param>
/// <param name="HorizontalFlip">Random horizontal flip with probability 0.5.</param>
/// <param name="UsePolicy">Apply an op pair drawn from the sampling matrix to every image.</param>
/// <param name="LevelMap">Level→argument map of the ops (design.md "new B"; default centred on the identity).</param>
/// <param name="CropPadding">
/// Random crop of the image's own size out of a copy zero-padded by this many pixels on every side (torchvision's
/// <c>RandomCrop(size, padding)</c>, the DARTS/ISTA-NAS CIFAR pipeline: 4 at 32 px); 0 turns it off.
/// </param>
/// <param name="Resampling">How the geometric ops of the op pairs sample (default bilinear).</param>
internal sealed record AugmentSettings(
    float[] Mean,
    float[] Std,
    int CutoutSize,
    bool HorizontalFlip,
    bool UsePolicy,
    LevelMap LevelMap = LevelMap.Centred,
    int CropPadding = 0,
    Resampling Resampling = Resampling.Bilinear)
{
    /// <summary>Clean pipeline (normalisation only), for validation and test batches.</summary>
    public static AugmentSettings Clean(float[] mean, float[] std) => new(mean, std, 0, false, false);
}
