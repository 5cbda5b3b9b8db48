using Dha.Augment;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class GeometricOpsTests
{
    private static readonly byte[] Grey = [77];

    [Fact]
    public void TranslateXRel_moves_content_by_the_exact_pixel_count_and_fills_with_the_mean_colour()
    {
        using var scope = NewDisposeScope();
        int[] row0 = [1, 2, 3, 4, 5, 6, 7, 8];
        int[] row1 = [11, 12, 13, 14, 15, 16, 17, 18];
        var images = U8([.. row0, .. row1, .. row0, .. row1], 2, 1, 2, 8);
        // ±0.25 of width 8 = ±2 pixels: input x = x + 2 moves content left; −2 moves it right.
        var result = Values(GeometricOps.TranslateXRel(images, Args(0.25, -0.25), Grey));
        int[] expected =
        [
            3, 4, 5, 6, 7, 8, 77, 77,
            13, 14, 15, 16, 17, 18, 77, 77,
            77, 77, 1, 2, 3, 4, 5, 6,
            77, 77, 11, 12, 13, 14, 15, 16,
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void TranslateYRel_moves_rows_by_the_exact_pixel_count_with_a_per_channel_fill()
    {
        using var scope = NewDisposeScope();
        // 3 channels, 4 rows × 2 columns; +0.5 of height 4 = 2 rows up.
        int[] channel = [1, 2, 3, 4, 5, 6, 7, 8];
        var images = U8([.. channel, .. channel.Select(v => v + 10), .. channel.Select(v => v + 20)], 1, 3, 4, 2);
        var result = Values(GeometricOps.TranslateYRel(images, Args(0.5), [125, 123, 114]));
        int[] expected =
        [
            5, 6, 7, 8, 125, 125, 125, 125,
            15, 16, 17, 18, 123, 123, 123, 123,
            25, 26, 27, 28, 114, 114, 114, 114,
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Rotate_by_90_degrees_turns_the_image_counter_clockwise_like_PIL()
    {
        using var scope = NewDisposeScope();
        var pixels = Enumerable.Range(0, 16).Select(v => 10 + v).ToArray();   // in[r, c] = 10 + 4r + c
        var result = Values(GeometricOps.Rotate(U8(pixels, 1, 1, 4, 4), Args(90), Grey));
        // Counter-clockwise: out[i, j] = in[j, 3 − i] (the right column becomes the top row).
        var expected = new int[16];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                expected[4 * i + j] = 10 + 4 * j + (3 - i);
            }
        }
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Rotate_by_a_small_angle_fills_the_uncovered_corners_with_the_fill_colour()
    {
        using var scope = NewDisposeScope();
        var images = U8(Enumerable.Repeat(200, 64).ToArray(), 1, 1, 8, 8);
        var result = Values(GeometricOps.Rotate(images, Args(30), Grey));
        Assert.Equal(77, result[0]);       // corners come from outside the image
        Assert.Equal(77, result[63]);
        Assert.Equal(200, result[27]);     // the centre stays inside
        Assert.All(result, v => Assert.True(v == 77 || v == 200));
    }

    [Fact]
    public void ShearX_shifts_each_row_by_the_shear_times_its_centre_height()
    {
        using var scope = NewDisposeScope();
        int[] row0 = [1, 2, 3, 4, 5, 6, 7, 8];
        int[] row1 = [11, 12, 13, 14, 15, 16, 17, 18];
        // s = 2: input x = x + 2y; row centres y = 0.5 and 1.5 shift by exactly 1 and 3 pixels.
        var result = Values(GeometricOps.ShearX(U8([.. row0, .. row1], 1, 1, 2, 8), Args(2), Grey));
        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 77, 14, 15, 16, 17, 18, 77, 77, 77], result);
    }

    [Fact]
    public void ShearY_shifts_each_column_by_the_shear_times_its_centre_position()
    {
        using var scope = NewDisposeScope();
        // 8 rows × 2 columns; column c holds 10c + r. s = 2: input y = y + 2x, so column 0 moves up 1, column 1 up 3.
        var pixels = new int[16];
        for (var r = 0; r < 8; r++)
        {
            pixels[2 * r] = r;
            pixels[2 * r + 1] = 10 + r;
        }
        var result = Values(GeometricOps.ShearY(U8(pixels, 1, 1, 8, 2), Args(2), Grey));
        var expected = new int[16];
        for (var r = 0; r < 8; r++)
        {
            expected[2 * r] = r + 1 < 8 ? r + 1 : 77;
            expected[2 * r + 1] = r + 3 < 8 ? 10 + r + 3 : 77;
        }
        Assert.Equal(expected, result);
    }

    [Fact]
    public void A_half_pixel_translate_interpolates_bilinearly()
    {
        using var scope = NewDisposeScope();
        // Width 4, fraction 0.125 → 0.5 px: out[j] = (in[j] + in[j + 1])/2 rounded; the last pixel samples at x = 4,
        // outside the image, so it takes the fill.
        var result = Values(GeometricOps.TranslateXRel(U8([10, 20, 40, 80], 1, 1, 1, 4), Args(0.125), Grey));
        Assert.Equal([15, 30, 60, 77], result);
    }

    [Fact]
    public void Geometric_ops_with_zero_arguments_are_the_identity_on_one_and_three_channels()
    {
        using var scope = NewDisposeScope();
        foreach (var images in new[] { Random(1, 2, 1, 5, 7), Random(2, 2, 3, 6, 6) })
        {
            var fill = Enumerable.Repeat((byte)77, (int)images.shape[1]).ToArray();
            var expected = Values(images);
            Assert.Equal(expected, Values(GeometricOps.Rotate(images, Args(0, -0.0), fill)));
            Assert.Equal(expected, Values(GeometricOps.ShearX(images, Args(0, 0), fill)));
            Assert.Equal(expected, Values(GeometricOps.ShearY(images, Args(0, 0), fill)));
            Assert.Equal(expected, Values(GeometricOps.TranslateXRel(images, Args(0, 0), fill)));
            Assert.Equal(expected, Values(GeometricOps.TranslateYRel(images, Args(0, 0), fill)));
        }
    }
}
