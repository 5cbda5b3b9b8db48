using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// The geometric ops of DHA's augmentation (dha-method §5.1): rotate, shear and relative translate, each an affine
/// map in PIL's convention (the matrix sends an output point to the input point it samples, in continuous pixel
/// coordinates whose pixel centres sit at i + 0.5). Sampling is bilinear with edge pixels clamped, and output points
/// whose source lies outside the image take the fill colour, as PIL's <c>Image.transform(..., fillcolor)</c> does.
/// The whole group is one <c>affine_grid</c> + <c>grid_sample</c>.
/// </summary>
internal static class GeometricOps
{
    /// <summary>PIL <c>Image.rotate(degrees)</c>: counter-clockwise about the image centre, by degrees (float64 [n]).</summary>
    internal static Tensor Rotate(Tensor images, Tensor degrees, byte[] fill)
    {
        ColorOps.CheckArguments(images, degrees, nameof(Rotate));
        using var scope = NewDisposeScope();
        var (_, _, h, w) = ColorOps.Shape(images);
        var angle = degrees.to_type(ScalarType.Float64) * (-Math.PI / 180.0);
        var cos = angle.cos();
        var sin = angle.sin();
        double cx = w / 2.0, cy = h / 2.0;
        // PIL: input = R·(output − centre) + centre with R = [[cos, sin], [−sin, cos]] of −degrees.
        var c = cos * -cx + sin * -cy + cx;
        var f = -sin * -cx + cos * -cy + cy;
        return Affine(images, cos, sin, c, -sin, cos, f, fill).MoveToOuterDisposeScope();
    }

    /// <summary>timm/reference <c>shear_x</c>: input x = x + s·y (the top edge stays put), s float64 [n].</summary>
    internal static Tensor ShearX(Tensor images, Tensor shear, byte[] fill) => Shear(images, shear, horizontal: true, fill);

    /// <summary>timm/reference <c>shear_y</c>: input y = s·x + y (the left edge stays put), s float64 [n].</summary>
    internal static Tensor ShearY(Tensor images, Tensor shear, byte[] fill) => Shear(images, shear, horizontal: false, fill);

    /// <summary>
    /// timm/reference <c>translate_x_rel</c>: input x = x + fraction·width, so a positive fraction moves the content
    /// left by fraction·width pixels (exactly that many when it is an integer), fraction float64 [n].
    /// </summary>
    internal static Tensor TranslateXRel(Tensor images, Tensor fraction, byte[] fill) => TranslateRel(images, fraction, horizontal: true, fill);

    /// <summary>timm/reference <c>translate_y_rel</c>: input y = y + fraction·height (content moves up), fraction float64 [n].</summary>
    internal static Tensor TranslateYRel(Tensor images, Tensor fraction, byte[] fill) => TranslateRel(images, fraction, horizontal: false, fill);

    private static Tensor Shear(Tensor images, Tensor shear, bool horizontal, byte[] fill)
    {
        ColorOps.CheckArguments(images, shear, horizontal ? nameof(ShearX) : nameof(ShearY));
        using var scope = NewDisposeScope();
        var s = shear.to_type(ScalarType.Float64);
        var one = ones_like(s);
        var zero = zeros_like(s);
        var (b, d) = horizontal ? (s, zero) : (zero, s);
        return Affine(images, one, b, zero, d, one, zero, fill).MoveToOuterDisposeScope();
    }

    private static Tensor TranslateRel(Tensor images, Tensor fraction, bool horizontal, byte[] fill)
    {
        ColorOps.CheckArguments(images, fraction, horizontal ? nameof(TranslateXRel) : nameof(TranslateYRel));
        using var scope = NewDisposeScope();
        var pixels = fraction.to_type(ScalarType.Float64) * images.shape[horizontal ? 3 : 2];
        var one = ones_like(pixels);
        var zero = zeros_like(pixels);
        var (c, f) = horizontal ? (pixels, zero) : (zero, pixels);
        return Affine(images, one, zero, c, zero, one, f, fill).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies per-image affine maps (a b c / d e f, float64 [n] each; input = (a·x + b·y + c, d·x + e·y + f) in
    /// continuous pixel coordinates) with bilinear sampling, rounding to the nearest grey level, and the fill colour
    /// where the source point is outside the image.
    /// </summary>
    private static Tensor Affine(Tensor images, Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f, byte[] fill)
    {
        ColorOps.CheckImages(images, "affine");
        var (n, channels, h, w) = ColorOps.Shape(images);
        if (fill.Length != channels)
        {
            throw new ArgumentException($"affine: {fill.Length} fill values for {channels} channels.", nameof(fill));
        }
        using var scope = NewDisposeScope();
        // Pixel coordinate u ∈ [0, W] ↔ normalised coordinate 2u/W − 1 (align_corners = false), so in normalised
        // coordinates the map is [a, b·H/W, a + b·H/W + 2c/W − 1; d·W/H, e, d·W/H + e + 2f/H − 1].
        double hw = (double)h / w, wh = (double)w / h;
        var row0 = stack([a, b * hw, a + b * hw + c * (2.0 / w) - 1.0], 1);
        var row1 = stack([d * wh, e, d * wh + e + f * (2.0 / h) - 1.0], 1);
        var theta = stack([row0, row1], 1).to_type(ScalarType.Float32);
        var grid = nn.functional.affine_grid(theta, [n, channels, h, w], align_corners: false);
        var gx = grid.select(3, 0);
        var gy = grid.select(3, 1);
        var inside = ((gx >= -1) & (gx < 1) & (gy >= -1) & (gy < 1)).unsqueeze(1);
        var sampled = nn.functional.grid_sample(
            images.to_type(ScalarType.Float32), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border,
            align_corners: false);
        var rounded = (sampled + 0.5f).floor().clamp(0, 255);
        var fillColour = tensor(fill.Select(v => (float)v).ToArray()).view(1, channels, 1, 1);
        return where(inside, rounded, fillColour).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
