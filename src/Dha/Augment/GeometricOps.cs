using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// The geometric ops of DHA's augmentation (dha-method §5.1): rotate, shear and relative translate, each an affine
/// map in PIL's convention (the matrix sends an output point to the input point it samples, in continuous pixel
/// coordinates whose pixel centres sit at i + 0.5). Sampling is bilinear with edge pixels clamped, and output points
/// whose source lies outside the image take the fill colour, as PIL's <c>Image.transform(..., fillcolor)</c> does.
/// The whole group is one <c>affine_grid</c> + <c>grid_sample</c> (one per resampling mode when the images of a group
/// use both bilinear and bicubic: <c>da.resampling=random</c>; bicubic is PIL's, see <see cref="Bicubic"/>).
/// </summary>
internal static class GeometricOps
{
    /// <summary>PIL <c>Image.rotate(degrees)</c>: counter-clockwise about the image centre, by degrees (float64 [n]).</summary>
    /// <param name="images">uint8 [n, C, H, W].</param>
    /// <param name="degrees">One angle per image.</param>
    /// <param name="fill">The fill colour, one byte per channel.</param>
    /// <param name="bicubic">Which images are sampled bicubic; null = all bilinear (the same for the other ops).</param>
    internal static Tensor Rotate(Tensor images, Tensor degrees, byte[] fill, bool[]? bicubic = null)
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
        return Affine(images, cos, sin, c, -sin, cos, f, fill, bicubic).MoveToOuterDisposeScope();
    }

    /// <summary>timm/reference <c>shear_x</c>: input x = x + s·y (the top edge stays put), s float64 [n].</summary>
    internal static Tensor ShearX(Tensor images, Tensor shear, byte[] fill, bool[]? bicubic = null) => Shear(images, shear, horizontal: true, fill, bicubic);

    /// <summary>timm/reference <c>shear_y</c>: input y = s·x + y (the left edge stays put), s float64 [n].</summary>
    internal static Tensor ShearY(Tensor images, Tensor shear, byte[] fill, bool[]? bicubic = null) => Shear(images, shear, horizontal: false, fill, bicubic);

    /// <summary>
    /// timm/reference <c>translate_x_rel</c>: input x = x + fraction·width, so a positive fraction moves the content
    /// left by fraction·width pixels (exactly that many when it is an integer), fraction float64 [n].
    /// </summary>
    internal static Tensor TranslateXRel(Tensor images, Tensor fraction, byte[] fill, bool[]? bicubic = null) =>
        TranslateRel(images, fraction, horizontal: true, fill, bicubic);

    /// <summary>timm/reference <c>translate_y_rel</c>: input y = y + fraction·height (content moves up), fraction float64 [n].</summary>
    internal static Tensor TranslateYRel(Tensor images, Tensor fraction, byte[] fill, bool[]? bicubic = null) =>
        TranslateRel(images, fraction, horizontal: false, fill, bicubic);

    private static Tensor Shear(Tensor images, Tensor shear, bool horizontal, byte[] fill, bool[]? bicubic)
    {
        ColorOps.CheckArguments(images, shear, horizontal ? nameof(ShearX) : nameof(ShearY));
        using var scope = NewDisposeScope();
        var s = shear.to_type(ScalarType.Float64);
        var one = ones_like(s);
        var zero = zeros_like(s);
        var (b, d) = horizontal ? (s, zero) : (zero, s);
        return Affine(images, one, b, zero, d, one, zero, fill, bicubic).MoveToOuterDisposeScope();
    }

    private static Tensor TranslateRel(Tensor images, Tensor fraction, bool horizontal, byte[] fill, bool[]? bicubic)
    {
        ColorOps.CheckArguments(images, fraction, horizontal ? nameof(TranslateXRel) : nameof(TranslateYRel));
        using var scope = NewDisposeScope();
        var pixels = fraction.to_type(ScalarType.Float64) * images.shape[horizontal ? 3 : 2];
        var one = ones_like(pixels);
        var zero = zeros_like(pixels);
        var (c, f) = horizontal ? (pixels, zero) : (zero, pixels);
        return Affine(images, one, zero, c, zero, one, f, fill, bicubic).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Applies per-image affine maps (a b c / d e f, float64 [n] each; input = (a·x + b·y + c, d·x + e·y + f) in
    /// continuous pixel coordinates) with bilinear sampling (bicubic for the images <paramref name="bicubic"/> marks),
    /// rounding to the nearest grey level (clamped: bicubic overshoots), and the fill colour where the source point is
    /// outside the image.
    /// </summary>
    private static Tensor Affine(Tensor images, Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f, byte[] fill, bool[]? bicubic)
    {
        ColorOps.CheckImages(images, "affine");
        var (n, channels, h, w) = ColorOps.Shape(images);
        if (fill.Length != channels)
        {
            throw new ArgumentException($"affine: {fill.Length} fill values for {channels} channels.", nameof(fill));
        }
        if (bicubic is not null && bicubic.Length != n)
        {
            throw new ArgumentException($"affine: {bicubic.Length} resampling flags for {n} images.", nameof(bicubic));
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
        var sampled = Sample(images.to_type(ScalarType.Float32), grid, bicubic);
        var rounded = (sampled + 0.5f).floor().clamp(0, 255);
        var fillColour = tensor(fill.Select(v => (float)v).ToArray()).view(1, channels, 1, 1);
        return where(inside, rounded, fillColour).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Each image sampled at its grid, edge pixels clamped: bilinear by <c>grid_sample</c>, in one call when no image
    /// is marked <paramref name="bicubic"/>; the marked ones by <see cref="Bicubic"/>.
    /// </summary>
    private static Tensor Sample(Tensor images, Tensor grid, bool[]? bicubic)
    {
        static Tensor Bilinear(Tensor images, Tensor grid) =>
            nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        if (bicubic is null || !bicubic.Contains(true))
        {
            return Bilinear(images, grid);
        }
        var sampled = empty_like(images);
        foreach (var cubic in new[] { false, true })
        {
            var members = Enumerable.Range(0, bicubic.Length).Where(i => bicubic[i] == cubic).Select(i => (long)i).ToArray();
            if (members.Length > 0)
            {
                var index = tensor(members);
                var (memberImages, memberGrid) = (images.index_select(0, index), grid.index_select(0, index));
                sampled.index_copy_(0, index, cubic ? Bicubic(memberImages, memberGrid) : Bilinear(memberImages, memberGrid));
            }
        }
        return sampled;
    }

    /// <summary>
    /// PIL's bicubic transform filter (Keys' cubic convolution with a = −1 on the 4×4 pixels around the source point,
    /// indices clamped to the image): TorchSharp's <c>grid_sample</c> has no bicubic mode, and torch's (a = −0.75)
    /// would differ from the reference's PIL anyway. Float32 [n, C, H, W] at a grid [n, H', W', 2] in
    /// <c>affine_grid</c>'s normalised coordinates (align_corners = false).
    /// </summary>
    internal static Tensor Bicubic(Tensor images, Tensor grid)
    {
        using var scope = NewDisposeScope();
        var (n, channels, h, w) = ColorOps.Shape(images);
        var points = grid.shape[1] * grid.shape[2];
        // normalised g ↔ pixel coordinate (g + 1)·W/2, whose pixel centres sit at i + 0.5
        var x = ((grid.select(3, 0) + 1) * (w / 2.0) - 0.5).reshape(n, points);
        var y = ((grid.select(3, 1) + 1) * (h / 2.0) - 0.5).reshape(n, points);
        var (x0, y0) = (x.floor(), y.floor());
        var (wx, wy) = (CubicWeights(x - x0), CubicWeights(y - y0));
        var flat = images.reshape(n, channels, h * w);
        var sampled = zeros(n, channels, points, ScalarType.Float32);
        for (var row = 0; row < 4; row++)
        {
            var yi = (y0 + (row - 1)).clamp(0, h - 1).to_type(ScalarType.Int64);
            for (var column = 0; column < 4; column++)
            {
                var xi = (x0 + (column - 1)).clamp(0, w - 1).to_type(ScalarType.Int64);
                var index = (yi * w + xi).unsqueeze(1).expand(n, channels, points);
                sampled = sampled + flat.gather(2, index) * (wy[row] * wx[column]).unsqueeze(1);
            }
        }
        return sampled.view(n, channels, grid.shape[1], grid.shape[2]).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weights of the taps at offsets −1, 0, 1, 2 from the pixel below a point at fraction t ∈ [0, 1) past it:
    /// PIL's <c>BICUBIC</c> macro, v₂ + t(v₃ − v₁) + t²(2v₁ − 2v₂ + v₃ − v₄) + t³(−v₁ + v₂ − v₃ + v₄), by tap.
    /// </summary>
    private static Tensor[] CubicWeights(Tensor t)
    {
        var t2 = t * t;
        var t3 = t2 * t;
        return [-t + 2 * t2 - t3, 1 - 2 * t2 + t3, t + t2 - t3, t3 - t2];
    }
}
