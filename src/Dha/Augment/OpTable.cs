using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// The two name-keyed tables of the augmentation (as timm's <c>LEVEL_TO_ARG</c> and <c>NAME_TO_OP</c>): how a
/// magnitude level becomes an op's argument under each <see cref="LevelMap"/>, and which tensor function runs an op.
/// Keeping both in one place means the ranges below are the only statement of each op's strength.
/// </summary>
internal static class OpTable
{
    /// <summary>The top of the level scale (<c>_MAX_LEVEL</c> of the reference code).</summary>
    internal const double MaxLevel = 8.0;

    /// <summary>
    /// The argument of <paramref name="op"/> at level ℓ (clipped to [0, 8]); <paramref name="negate"/> is the
    /// 50/50 random sign, used only by the ops that have one.
    /// </summary>
    /// <returns>
    /// Rotate: degrees. Posterize: bits kept. Solarize: threshold (pixels ≥ it are inverted). Color, Contrast,
    /// Brightness, Sharpness: the PIL enhance factor (1 = identity). ShearX/Y: shear factor. TranslateX/YRel:
    /// fraction of the width/height. AutoContrast, Equalize, Identity: 0 (no argument).
    /// </returns>
    internal static double Argument(AugmentOp op, double level, bool negate, LevelMap map)
    {
        var l = Math.Clamp(level, 0.0, MaxLevel);
        var sign = negate ? -1.0 : 1.0;
        var centred = map == LevelMap.Centred;
        return op switch
        {
            // ±30·ℓ/8 degrees, both maps.
            AugmentOp.Rotate => sign * 30.0 * l / MaxLevel,
            // Centred: 8 − 4·ℓ/8 bits rounded down, in [4, 8] (level 0 keeps all 8 bits; any positive level drops
            // at least one). Reference: ⌊3ℓ/8 + 1⌋ bits, in [1, 4].
            AugmentOp.Posterize => centred
                ? Math.Clamp(Math.Floor(8.0 - 4.0 * l / MaxLevel), 4.0, 8.0)
                : Math.Clamp(Math.Floor(3.0 * l / MaxLevel + 1.0), 1.0, 4.0),
            // Centred: threshold 256 − 256·ℓ/8, in [0, 256] (256 inverts nothing). Reference: ⌊256·ℓ/8⌋.
            AugmentOp.Solarize => centred ? 256.0 - 256.0 * l / MaxLevel : Math.Floor(256.0 * l / MaxLevel),
            // Centred: 1 ± 0.9·ℓ/8, in [0.1, 1.9]. Reference: 0.1 + 1.8·ℓ/8 with no sign, in [0.1, 1.9].
            AugmentOp.Color or AugmentOp.Contrast or AugmentOp.Brightness or AugmentOp.Sharpness => centred
                ? 1.0 + sign * 0.9 * l / MaxLevel
                : 0.1 + 1.8 * l / MaxLevel,
            // ±0.3·ℓ/8, both maps.
            AugmentOp.ShearX or AugmentOp.ShearY => sign * 0.3 * l / MaxLevel,
            // ±0.45·ℓ/8 of the width/height, both maps.
            AugmentOp.TranslateXRel or AugmentOp.TranslateYRel => sign * 0.45 * l / MaxLevel,
            AugmentOp.AutoContrast or AugmentOp.Equalize or AugmentOp.Identity => 0.0,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not one of the 14 augmentation ops."),
        };
    }

    /// <summary>
    /// Runs <paramref name="op"/> on every image of a group, image k with argument <paramref name="arguments"/>[k].
    /// </summary>
    /// <param name="op">The op to run.</param>
    /// <param name="images">uint8 [n, C, H, W], C = 1 or 3.</param>
    /// <param name="arguments">One argument per image, from <see cref="Argument"/>.</param>
    /// <param name="fill">The fill colour of the geometric ops, one byte per channel.</param>
    /// <param name="bicubic">Which images the geometric ops sample bicubic; null = all bilinear.</param>
    /// <returns>A new uint8 tensor of the same shape.</returns>
    internal static Tensor Apply(AugmentOp op, Tensor images, double[] arguments, byte[] fill, bool[]? bicubic = null)
    {
        if (arguments.Length != images.shape[0])
        {
            throw new ArgumentException(
                $"OpTable.Apply: {arguments.Length} arguments for {images.shape[0]} images.", nameof(arguments));
        }
        using var scope = NewDisposeScope();
        var args = tensor(arguments, ScalarType.Float64);
        var result = op switch
        {
            AugmentOp.AutoContrast => ColorOps.AutoContrast(images),
            AugmentOp.Equalize => ColorOps.Equalize(images),
            AugmentOp.Rotate => GeometricOps.Rotate(images, args, fill, bicubic),
            AugmentOp.Posterize => ColorOps.Posterize(images, args.to_type(ScalarType.Int64)),
            AugmentOp.Solarize => ColorOps.Solarize(images, args),
            AugmentOp.Color => ColorOps.Color(images, args),
            AugmentOp.Contrast => ColorOps.Contrast(images, args),
            AugmentOp.Brightness => ColorOps.Brightness(images, args),
            AugmentOp.Sharpness => ColorOps.Sharpness(images, args),
            AugmentOp.ShearX => GeometricOps.ShearX(images, args, fill, bicubic),
            AugmentOp.ShearY => GeometricOps.ShearY(images, args, fill, bicubic),
            AugmentOp.TranslateXRel => GeometricOps.TranslateXRel(images, args, fill, bicubic),
            AugmentOp.TranslateYRel => GeometricOps.TranslateYRel(images, args, fill, bicubic),
            AugmentOp.Identity => images.clone(),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not one of the 14 augmentation ops."),
        };
        return result.MoveToOuterDisposeScope();
    }
}
