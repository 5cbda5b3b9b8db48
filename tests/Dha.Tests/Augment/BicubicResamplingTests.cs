using Dha.Augment;
using TorchSharp;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

/// <summary><c>da.resampling=random</c>: the geometric ops' bicubic sampling (PIL's filter) beside the bilinear one.</summary>
public class BicubicResamplingTests
{
    /// <summary>
    /// PIL's bicubic transform filter (Geometry.c, BICUBIC_HEAD/BODY) at pixel coordinate (x, y), pixel centres at
    /// i + 0.5, one pixel at a time in doubles: v₂ + d(v₃ − v₁) + d²(2v₁ − 2v₂ + v₃ − v₄) + d³(−v₁ + v₂ − v₃ + v₄)
    /// along the row, then down the column, indices clamped.
    /// </summary>
    private static double PilBicubic(Func<int, int, double> pixel, int height, int width, double x, double y)
    {
        static double Cubic(double v1, double v2, double v3, double v4, double d) =>
            v2 + d * (-v1 + v3 + d * (2 * (v1 - v2) + v3 - v4 + d * (-v1 + v2 - v3 + v4)));
        x -= 0.5;
        y -= 0.5;
        int x0 = (int)Math.Floor(x) - 1, y0 = (int)Math.Floor(y) - 1;
        double dx = x - Math.Floor(x), dy = y - Math.Floor(y);
        var rows = new double[4];
        for (var r = 0; r < 4; r++)
        {
            var row = Math.Clamp(y0 + r, 0, height - 1);
            double Tap(int c) => pixel(row, Math.Clamp(x0 + c, 0, width - 1));
            rows[r] = Cubic(Tap(0), Tap(1), Tap(2), Tap(3), dx);
        }
        return Cubic(rows[0], rows[1], rows[2], rows[3], dy);
    }

    [Fact]
    public void Bicubic_samples_each_grid_point_as_PIL_filter_does_by_hand_borders_clamped()
    {
        using var scope = NewDisposeScope();
        const int n = 2, channels = 2, h = 5, w = 6, points = 7;
        var images = Random(11, n, channels, h, w).to_type(ScalarType.Float32);
        // points inside, on pixel centres and beyond the borders (the taps clamp there)
        var rng = new System.Random(3);
        var grid = tensor(Enumerable.Range(0, n * points * 2).Select(_ => (float)(rng.NextDouble() * 2.4 - 1.2)).ToArray(), [n, 1, points, 2]);
        grid[0, 0, 0] = tensor(new[] { -1f + 1f / w, -1f + 1f / h });   // the centre of pixel (0, 0)
        var sampled = GeometricOps.Bicubic(images, grid).data<float>().ToArray();
        var pixels = images.data<float>().ToArray();
        var coordinates = grid.data<float>().ToArray();
        for (var b = 0; b < n; b++)
        {
            for (var c = 0; c < channels; c++)
            {
                for (var p = 0; p < points; p++)
                {
                    var x = (coordinates[(b * points + p) * 2] + 1.0) * w / 2;
                    var y = (coordinates[(b * points + p) * 2 + 1] + 1.0) * h / 2;
                    var expected = PilBicubic((r, col) => pixels[((b * channels + c) * h + r) * w + col], h, w, x, y);
                    Assert.Equal(expected, sampled[(b * channels + c) * points + p], 2);
                }
            }
        }
        Assert.Equal(pixels[0], sampled[0], 3);   // a pixel centre is the pixel itself
    }

    [Fact]
    public void A_rotation_samples_the_flagged_images_bicubic_and_the_others_exactly_as_bilinear_grid_sample()
    {
        using var scope = NewDisposeScope();
        const int h = 9, w = 8;
        var images = Random(5, 4, 1, h, w);
        var degrees = Args(17, -23, 17, 40);
        bool[] bicubic = [true, false, false, true];
        var mixed = GeometricOps.Rotate(images, degrees, [77], bicubic);
        var bilinear = GeometricOps.Rotate(images, degrees, [77]);
        // the unflagged images are bilinear bit for bit; the default (null) is one torch grid_sample call (below)
        for (var i = 0; i < 4; i++)
        {
            if (!bicubic[i])
            {
                Assert.Equal(Values(bilinear[i]), Values(mixed[i]));
            }
        }
        // a flagged image: PIL's bicubic at the source point of each output pixel (PIL's rotate map), rounded
        var pixels = Values(images);
        var result = Values(mixed);
        var differs = false;
        foreach (var i in new[] { 0, 3 })
        {
            var angle = -degrees[i].ToDouble() * Math.PI / 180;
            var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var (u, v) = (x + 0.5 - w / 2.0, y + 0.5 - h / 2.0);
                    var (sx, sy) = (cos * u + sin * v + w / 2.0, -sin * u + cos * v + h / 2.0);
                    var got = result[(i * h + y) * w + x];
                    if (sx < 0 || sx >= w || sy < 0 || sy >= h)
                    {
                        Assert.Equal(77, got);
                        continue;
                    }
                    var exact = PilBicubic((r, c) => pixels[(i * h + r) * w + c], h, w, sx, sy);
                    // the grid is float32: a value within 1e-3 of a half may round either way
                    Assert.InRange(got, Math.Clamp(Math.Floor(exact + 0.5 - 1e-3), 0, 255), Math.Clamp(Math.Floor(exact + 0.5 + 1e-3), 0, 255));
                    differs |= got != Values(bilinear[i])[y * w + x];
                }
            }
        }
        Assert.True(differs, "bicubic gave the bilinear image");
    }

    [Fact]
    public void Bilinear_is_torch_grid_sample_of_the_warp_called_directly()
    {
        using var scope = NewDisposeScope();
        var images = Random(8, 2, 3, 6, 7);
        var shear = Args(0.2, -0.3);
        var ours = GeometricOps.ShearX(images, shear, [1, 2, 3], [false, false]);
        // input x = x + s·y: in normalised coordinates [1, s·H/W, s·H/W; 0, 1, 0]
        var theta = tensor(new[] { 1f, 0.2f * 6 / 7, 0.2f * 6 / 7, 0f, 1f, 0f, 1f, -0.3f * 6 / 7, -0.3f * 6 / 7, 0f, 1f, 0f }, [2, 2, 3]);
        var grid = nn.functional.affine_grid(theta, [2, 3, 6, 7], align_corners: false);
        var direct = nn.functional.grid_sample(images.to_type(ScalarType.Float32), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        var inside = ((grid.select(3, 0) >= -1) & (grid.select(3, 0) < 1)).unsqueeze(1);
        var expected = where(inside, (direct + 0.5f).floor().clamp(0, 255), tensor(new[] { 1f, 2f, 3f }).view(1, 3, 1, 1)).to_type(ScalarType.Byte);
        Assert.Equal(Values(expected), Values(ours));
    }

    [Fact]
    public void Random_resampling_samples_each_op_with_the_mode_its_coin_drew_and_bilinear_stays_the_default()
    {
        using var scope = NewDisposeScope();
        const int batch = 16, seed = 42;
        var images = Random(21, batch, 3, 12, 12);
        float[] mean = [0.5f, 0.5f, 0.5f], std = [0.25f, 0.25f, 0.25f];
        // every image draws rotate, then shear x: both geometric
        double[] matrix = [.. Enumerable.Range(0, PairSampler.PairCount).Select(p => p == (int)AugmentOp.Rotate * 14 + (int)AugmentOp.ShearX ? 1.0 : 0.0)];
        float[] Run(AugmentSettings settings) =>
            new BatchAugmenter(settings) { Magnitude = 8, SamplingMatrix = matrix }.Prepare(seed)(images).Images.data<float>().ToArray();
        var settings = new AugmentSettings(mean, std, 0, false, true);
        Assert.Equal(Resampling.Bilinear, settings.Resampling);
        var random = Run(settings with { Resampling = Resampling.Random });

        // the batch's draws in the augmenter's order: per image the pair, then per op its level, sign and bicubic coin
        var rng = new System.Random(seed);
        var arguments = new double[2][] { new double[batch], new double[batch] };
        var bicubic = new bool[2][] { new bool[batch], new bool[batch] };
        for (var b = 0; b < batch; b++)
        {
            rng.NextDouble();
            for (var stage = 0; stage < 2; stage++)
            {
                var level = Math.Min(8, rng.NextDouble() * 8);
                var negate = rng.NextDouble() < 0.5;
                bicubic[stage][b] = rng.NextDouble() < 0.5;
                arguments[stage][b] = OpTable.Argument(stage == 0 ? AugmentOp.Rotate : AugmentOp.ShearX, level, negate, LevelMap.Centred);
            }
        }
        Assert.Contains(true, bicubic[0]);
        Assert.Contains(false, bicubic[0]);
        var rotated = GeometricOps.Rotate(images, Args(arguments[0]), [128, 128, 128], bicubic[0]);
        var sheared = GeometricOps.ShearX(rotated, Args(arguments[1]), [128, 128, 128], bicubic[1]);
        var expected = ((sheared.to_type(ScalarType.Float32) / 255f - 0.5f) / 0.25f).data<float>().ToArray();
        Assert.Equal(expected, random);
        Assert.NotEqual(Run(settings), random);
    }
}
