using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// The pixel-value ops of DHA's augmentation (dha-method §5.1), written as batched tensor ops that give what PIL
/// gives on each image: the reference code ran PIL, so these are defined by PIL's arithmetic (integer luma, lookup
/// tables, <c>Image.blend</c>'s truncation), not by torchvision's float approximations.
/// Every op takes uint8 [n, C, H, W] (C = 1 or 3) and per-image arguments, and returns a new uint8 tensor.
/// </summary>
internal static class ColorOps
{
    /// <summary>
    /// PIL <c>ImageOps.autocontrast(cutoff=0)</c> per image and channel: the darkest value maps to 0, the brightest
    /// to 255, values in between to ⌊(v − lo)·255/(hi − lo)⌋. A constant channel is left unchanged.
    /// (PIL evaluates <c>int(v·(255/(hi − lo)) − lo·255/(hi − lo))</c> in floating point, which comes out one grey
    /// level lower for about 0.4 % of (lo, hi, v) triples, e.g. lo = 0, hi = 25 maps 25 to 254; the exact integer
    /// form here keeps the op's definition, max → 255, and is otherwise identical.)
    /// </summary>
    internal static Tensor AutoContrast(Tensor images)
    {
        CheckImages(images, nameof(AutoContrast));
        using var scope = NewDisposeScope();
        var x = images.to_type(ScalarType.Int32);
        var lo = x.amin([2, 3], keepdim: true);
        var hi = x.amax([2, 3], keepdim: true);
        var range = hi - lo;
        var stretched = ((x - lo) * 255).div(range.clamp_min(1), RoundingMode.floor);
        return where(range > 0, stretched, x).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL <c>ImageOps.equalize</c> per image and channel: with h the 256-bin histogram and <c>step</c> =
    /// ⌊(pixel count − count of the highest occupied bin)/256⌋, value i maps to ⌊(⌊step/2⌋ + Σ_{k&lt;i} h_k)/step⌋,
    /// clipped to 255 (as <c>Image.point</c> clips); when <c>step</c> is 0 the channel is left unchanged.
    /// </summary>
    internal static Tensor Equalize(Tensor images)
    {
        CheckImages(images, nameof(Equalize));
        using var scope = NewDisposeScope();
        var (n, c, h, w) = Shape(images);
        var flat = images.reshape(n * c, h * w).to_type(ScalarType.Int64);
        var histogram = zeros(n * c, 256, ScalarType.Int64).scatter_add_(1, flat, ones_like(flat));
        var lastCount = histogram.gather(1, flat.amax([1], keepdim: true));
        var step = (h * w - lastCount).div(256, RoundingMode.floor);
        var below = histogram.cumsum(1) - histogram;
        var lut = (step.div(2, RoundingMode.floor) + below).div(step.clamp_min(1), RoundingMode.floor).clamp_max(255);
        lut = where(step > 0, lut, arange(256, ScalarType.Int64).unsqueeze(0));
        return lut.gather(1, flat).reshape(n, c, h, w).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>PIL <c>ImageOps.posterize</c>: keeps the top <paramref name="bits"/> (int64 [n], 1..8) of every value.</summary>
    internal static Tensor Posterize(Tensor images, Tensor bits)
    {
        CheckImages(images, nameof(Posterize));
        CheckArguments(images, bits, nameof(Posterize));
        using var scope = NewDisposeScope();
        var b = bits.to_type(ScalarType.Int64).clamp(1, 8);
        // 256 − 2^(8−b) is the mask with the top b bits set.
        var mask = 256 - pow(2, 8 - b);
        var result = images.bitwise_and(mask.to_type(ScalarType.Byte).view(-1, 1, 1, 1));
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>PIL <c>ImageOps.solarize</c>: every value v ≥ threshold (float64 [n]) becomes 255 − v.</summary>
    internal static Tensor Solarize(Tensor images, Tensor threshold)
    {
        CheckImages(images, nameof(Solarize));
        CheckArguments(images, threshold, nameof(Solarize));
        using var scope = NewDisposeScope();
        var x = images.to_type(ScalarType.Int32);
        var invert = x.to_type(ScalarType.Float64) >= threshold.to_type(ScalarType.Float64).view(-1, 1, 1, 1);
        return where(invert, 255 - x, x).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL <c>ImageEnhance.Color</c>: blend with the greyscale image (PIL's integer luma). On a 1-channel image the
    /// greyscale image is the image itself, so the op is the identity.
    /// </summary>
    internal static Tensor Color(Tensor images, Tensor factor)
    {
        CheckImages(images, nameof(Color));
        CheckArguments(images, factor, nameof(Color));
        using var scope = NewDisposeScope();
        if (images.shape[1] == 1)
        {
            return images.clone().MoveToOuterDisposeScope();
        }
        var grey = Luma(images).expand_as(images);
        return Blend(grey, images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL <c>ImageEnhance.Contrast</c>: blend with a constant image whose value is the greyscale mean rounded
    /// half up (<c>int(mean + 0.5)</c>).
    /// </summary>
    internal static Tensor Contrast(Tensor images, Tensor factor)
    {
        CheckImages(images, nameof(Contrast));
        CheckArguments(images, factor, nameof(Contrast));
        using var scope = NewDisposeScope();
        var grey = Luma(images).to_type(ScalarType.Float64);
        var mean = (grey.mean([1, 2, 3], keepdim: true) + 0.5).floor();
        return Blend(mean.expand_as(images), images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>PIL <c>ImageEnhance.Brightness</c>: blend with black (factor 0 gives a black image).</summary>
    internal static Tensor Brightness(Tensor images, Tensor factor)
    {
        CheckImages(images, nameof(Brightness));
        CheckArguments(images, factor, nameof(Brightness));
        using var scope = NewDisposeScope();
        return Blend(zeros_like(images), images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL <c>ImageEnhance.Sharpness</c>: blend with the image filtered by PIL's SMOOTH kernel
    /// (1 1 1 / 1 5 1 / 1 1 1, divided by 13, rounded), whose border pixels are the original ones.
    /// </summary>
    internal static Tensor Sharpness(Tensor images, Tensor factor)
    {
        CheckImages(images, nameof(Sharpness));
        CheckArguments(images, factor, nameof(Sharpness));
        using var scope = NewDisposeScope();
        var (_, c, h, w) = Shape(images);
        var degenerate = images.to_type(ScalarType.Float32);
        if (h >= 3 && w >= 3)
        {
            var kernel = tensor(new float[] { 1, 1, 1, 1, 5, 1, 1, 1, 1 }).view(1, 1, 3, 3).expand(c, 1, 3, 3).contiguous();
            var smooth = (nn.functional.conv2d(degenerate, kernel, groups: c) / 13f + 0.5f).floor().clamp(0, 255);
            degenerate = degenerate.clone();
            degenerate.narrow(2, 1, h - 2).narrow(3, 1, w - 2).copy_(smooth);
        }
        return Blend(degenerate, images, factor).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PIL <c>Image.blend(degenerate, image, factor)</c> on 8-bit images: d + f·(v − d) in single precision,
    /// clipped to [0, 255] and truncated (PIL casts to UINT8, it does not round).
    /// </summary>
    private static Tensor Blend(Tensor degenerate, Tensor images, Tensor factor)
    {
        using var scope = NewDisposeScope();
        var d = degenerate.to_type(ScalarType.Float32);
        var v = images.to_type(ScalarType.Float32);
        var f = factor.to_type(ScalarType.Float32).view(-1, 1, 1, 1);
        var blended = d + f * (v - d);
        return blended.clamp(0, 255).floor().to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>PIL's RGB → L conversion, (19595 R + 38470 G + 7471 B + 2^15) >> 16, as int64 [n, 1, H, W].</summary>
    private static Tensor Luma(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.to_type(ScalarType.Int64);
        if (x.shape[1] == 1)
        {
            return x.MoveToOuterDisposeScope();
        }
        var weighted = x.narrow(1, 0, 1) * 19595 + x.narrow(1, 1, 1) * 38470 + x.narrow(1, 2, 1) * 7471 + 32768;
        return weighted.div(65536, RoundingMode.floor).MoveToOuterDisposeScope();
    }

    internal static (long N, long C, long H, long W) Shape(Tensor images) =>
        (images.shape[0], images.shape[1], images.shape[2], images.shape[3]);

    /// <summary>Rejects anything but uint8 [n, C, H, W] with C = 1 or 3: the ops are defined for L and RGB images.</summary>
    internal static void CheckImages(Tensor images, string op)
    {
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || (images.shape[1] != 1 && images.shape[1] != 3))
        {
            throw new ArgumentException(
                $"{op}: expected uint8 images [n, C, H, W] with C = 1 or 3, got {images.dtype} [{string.Join(", ", images.shape)}].");
        }
    }

    internal static void CheckArguments(Tensor images, Tensor arguments, string op)
    {
        if (arguments.dim() != 1 || arguments.shape[0] != images.shape[0])
        {
            throw new ArgumentException(
                $"{op}: expected one argument per image ([{images.shape[0]}]), got [{string.Join(", ", arguments.shape)}].");
        }
    }
}
