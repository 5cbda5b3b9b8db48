using Dha.Augment;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class ColorOpsTests
{
    [Fact]
    public void Posterize_keeps_exactly_the_top_bits()
    {
        using var scope = NewDisposeScope();
        int[] pixels = [0, 1, 127, 128, 183, 255, 90, 15];
        var images = U8([.. pixels, .. pixels, .. pixels], 3, 1, 2, 4);
        var result = Values(ColorOps.Posterize(images, tensor(new long[] { 3, 1, 8 })));
        // 3 bits: v & 0b1110_0000; 1 bit: v & 0b1000_0000; 8 bits: unchanged.
        int[] expected =
        [
            0, 0, 96, 128, 160, 224, 64, 0,
            0, 0, 0, 128, 128, 128, 0, 0,
            .. pixels,
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Solarize_inverts_exactly_the_pixels_at_or_above_the_threshold()
    {
        using var scope = NewDisposeScope();
        int[] pixels = [0, 127, 128, 129, 200, 255];
        var images = U8([.. pixels, .. pixels, .. pixels, .. pixels], 4, 1, 1, 6);
        var result = Values(ColorOps.Solarize(images, Args(128, 256, 0, 128.5)));
        int[] expected =
        [
            0, 127, 127, 126, 55, 0,
            .. pixels,
            255, 128, 127, 126, 55, 0,
            0, 127, 128, 126, 55, 0,
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void AutoContrast_maps_each_channel_min_to_0_and_max_to_255_and_keeps_constant_channels()
    {
        using var scope = NewDisposeScope();
        var images = U8(
        [
            50, 100, 200, 125,  // channel 0: lo 50, hi 200
            77, 77, 77, 77,     // channel 1: constant
            0, 10, 20, 30,      // channel 2: lo 0, hi 30
        ], 1, 3, 2, 2);
        var result = Values(ColorOps.AutoContrast(images));
        // ⌊(v − lo)·255/(hi − lo)⌋: 100 → 85, 125 → ⌊127.5⌋ = 127; 10 → 85, 20 → 170.
        Assert.Equal([0, 85, 255, 127, 77, 77, 77, 77, 0, 85, 170, 255], result);
    }

    [Fact]
    public void AutoContrast_works_on_one_channel_images()
    {
        using var scope = NewDisposeScope();
        var result = Values(ColorOps.AutoContrast(U8([3, 5, 4, 3, 7, 7, 7, 7], 2, 1, 2, 2)));
        // Image 0: lo 3, hi 5 → 0, 255, 127, 0. Image 1: constant, unchanged.
        Assert.Equal([0, 255, 127, 0, 7, 7, 7, 7], result);
    }

    [Fact]
    public void Equalize_spreads_four_equal_bins_as_PIL_does()
    {
        using var scope = NewDisposeScope();
        // 1024 pixels, 256 each of 10, 20, 30, 40. PIL: step = (1024 − 256) // 256 = 3, n starts at 1,
        // lut[10] = 1 // 3 = 0, lut[20] = 257 // 3 = 85, lut[30] = 513 // 3 = 171, lut[40] = 769 // 3 = 256 → 255.
        var pixels = Enumerable.Range(0, 1024).Select(i => 10 * (1 + i % 4)).ToArray();
        var result = Values(ColorOps.Equalize(U8(pixels, 1, 1, 32, 32)));
        var expected = pixels.Select(v => v switch { 10 => 0, 20 => 85, 30 => 171, _ => 255 }).ToArray();
        Assert.Equal(expected, result);
        Assert.Equal(256, result.Count(v => v == 171));
    }

    [Fact]
    public void Equalize_handles_each_channel_separately_and_leaves_small_or_flat_channels_unchanged()
    {
        using var scope = NewDisposeScope();
        // Channel 0: 768 × 100 and 256 × 200 → step = 768 // 256 = 3; lut[100] = 1 // 3 = 0, lut[200] = 769 // 3 → 255.
        // Channel 1: constant (one occupied bin) → unchanged.
        // Channel 2: 1023 × 9 and one 250 → step = (1024 − 1) // 256 = 3, lut[9] = 0, lut[250] = 1024 // 3 → 255.
        var c0 = Enumerable.Range(0, 1024).Select(i => i % 4 == 0 ? 200 : 100).ToArray();
        var c1 = Enumerable.Repeat(33, 1024).ToArray();
        var c2 = Enumerable.Range(0, 1024).Select(i => i == 5 ? 250 : 9).ToArray();
        var result = Values(ColorOps.Equalize(U8([.. c0, .. c1, .. c2], 1, 3, 32, 32)));
        int[] expected =
        [
            .. c0.Select(v => v == 100 ? 0 : 255),
            .. c1,
            .. c2.Select(v => v == 9 ? 0 : 255),
        ];
        Assert.Equal(expected, result);

        // A 4×4 image has fewer than 256 pixels outside its top bin: step = 0, PIL leaves it unchanged.
        int[] small = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        Assert.Equal(small, Values(ColorOps.Equalize(U8(small, 1, 1, 4, 4))));

        // At the boundary: 255 pixels of 50 below a top bin of 257 pixels of 60 → step = 255 // 256 = 0, unchanged;
        // one more pixel below the top bin (256 × 50, 256 × 60) → step 1, lut[50] = 0, lut[60] = 256 → 255.
        var edge = Enumerable.Range(0, 512).Select(i => i < 255 ? 50 : 60).ToArray();
        Assert.Equal(edge, Values(ColorOps.Equalize(U8(edge, 1, 1, 16, 32))));
        var past = Enumerable.Range(0, 512).Select(i => i < 256 ? 50 : 60).ToArray();
        Assert.Equal(past.Select(v => v == 50 ? 0 : 255), Values(ColorOps.Equalize(U8(past, 1, 1, 16, 32))));
    }

    [Fact]
    public void Equalize_matches_a_direct_transcription_of_PILs_algorithm_on_random_images()
    {
        using var scope = NewDisposeScope();
        // Values concentrated in a narrow band so the step is > 0 and the lookup table is not trivial.
        var rng = new Random(7);
        const int n = 3, c = 3, hw = 24 * 24;
        var pixels = Enumerable.Range(0, n * c * hw).Select(_ => 90 + (int)(40 * rng.NextDouble() * rng.NextDouble())).ToArray();
        var result = Values(ColorOps.Equalize(U8(pixels, n, c, 24, 24)));
        for (var plane = 0; plane < n * c; plane++)
        {
            var channel = pixels.Skip(plane * hw).Take(hw).ToArray();
            var lut = PilEqualizeLut(channel);
            Assert.Equal(channel.Select(v => lut[v]), result.Skip(plane * hw).Take(hw));
        }
    }

    // ImageOps.equalize, line by line (Pillow 7.1), with Image.point's clip to 255.
    private static int[] PilEqualizeLut(int[] channel)
    {
        var h = new int[256];
        foreach (var v in channel)
        {
            h[v]++;
        }
        var histo = h.Where(x => x != 0).ToList();
        if (histo.Count <= 1)
        {
            return Enumerable.Range(0, 256).ToArray();
        }
        var step = (histo.Sum() - histo[^1]) / 256;
        if (step == 0)
        {
            return Enumerable.Range(0, 256).ToArray();
        }
        var lut = new int[256];
        var acc = step / 2;
        for (var i = 0; i < 256; i++)
        {
            lut[i] = Math.Min(255, acc / step);
            acc += h[i];
        }
        return lut;
    }

    [Fact]
    public void Brightness_factor_0_gives_black_and_other_factors_truncate_like_PIL()
    {
        using var scope = NewDisposeScope();
        int[] pixels = [101, 255, 0, 3, 200];
        var images = U8([.. pixels, .. pixels, .. pixels], 3, 1, 1, 5);
        var result = Values(ColorOps.Brightness(images, Args(0, 0.5, 1.5)));
        int[] expected =
        [
            0, 0, 0, 0, 0,
            50, 127, 0, 1, 100,   // 50.5 → 50, 127.5 → 127, 1.5 → 1
            151, 255, 0, 4, 255,  // 151.5 → 151, clipped at 255
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Brightness_factor_0_gives_black_on_three_channel_images()
    {
        using var scope = NewDisposeScope();
        var result = Values(ColorOps.Brightness(Random(3, 2, 3, 4, 4), Args(0, 0)));
        Assert.All(result, v => Assert.Equal(0, v));
    }

    [Fact]
    public void Contrast_blends_with_the_rounded_grey_mean()
    {
        using var scope = NewDisposeScope();
        int[] pixels = [0, 100, 200, 255];
        var images = U8([.. pixels, .. pixels, .. pixels], 3, 1, 2, 2);
        var result = Values(ColorOps.Contrast(images, Args(0, 2, 0.5)));
        // mean 138.75 → int(139.25) = 139.
        int[] expected =
        [
            139, 139, 139, 139,
            0, 61, 255, 255,        // 139 + 2(v − 139), clipped
            69, 119, 169, 197,      // 69.5, 119.5, 169.5, 197 truncated
        ];
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Contrast_on_rgb_uses_PILs_integer_luma_mean()
    {
        using var scope = NewDisposeScope();
        // Pixels (255, 0, 0) and (0, 0, 255): L = 76 and 29 (PIL's (19595 R + 38470 G + 7471 B + 32768) >> 16);
        // mean 52.5 → int(53.0) = 53.
        var images = U8([255, 0, 0, 0, 0, 255], 1, 3, 1, 2);   // R, G, B planes of the two pixels
        Assert.Equal([53, 53, 53, 53, 53, 53], Values(ColorOps.Contrast(images, Args(0))));
    }

    [Fact]
    public void Color_blends_rgb_with_its_greyscale_and_is_the_identity_on_one_channel()
    {
        using var scope = NewDisposeScope();
        // (255, 0, 0): L = 76. Factor 0 → grey; factor 0.5 → 76 + 0.5(v − 76) = 165.5 → 165 and 38.
        var red = U8([255, 0, 0, 255, 0, 0], 2, 3, 1, 1);
        Assert.Equal([76, 76, 76, 165, 38, 38], Values(ColorOps.Color(red, Args(0, 0.5))));

        var grey = Random(4, 2, 1, 3, 3);
        Assert.Equal(Values(grey), Values(ColorOps.Color(grey, Args(0, 1.9))));
    }

    [Fact]
    public void Sharpness_blends_with_the_SMOOTH_filtered_image_and_keeps_borders()
    {
        using var scope = NewDisposeScope();
        // One bright pixel at (1, 1) of a 4×4 image. SMOOTH (1 1 1 / 1 5 1 / 1 1 1)/13 on the interior:
        // (1,1) = 5·130/13 = 50, its interior neighbours 130/13 = 10; the border keeps the original 0s.
        var pixels = new int[16];
        pixels[5] = 130;
        var images = U8([.. pixels, .. pixels], 2, 1, 4, 4);
        var result = Values(ColorOps.Sharpness(images, Args(0, 2)));
        int[] smoothed =
        [
            0, 0, 0, 0,
            0, 50, 10, 0,
            0, 10, 10, 0,
            0, 0, 0, 0,
        ];
        // Factor 2: 50 + 2·80 = 210 at (1, 1); 10 + 2·(0 − 10) = −10 → 0 elsewhere in the interior.
        int[] sharpened =
        [
            0, 0, 0, 0,
            0, 210, 0, 0,
            0, 0, 0, 0,
            0, 0, 0, 0,
        ];
        Assert.Equal([.. smoothed, .. sharpened], result);

        // The smoothed value is rounded (Pillow adds 0.5 before its truncating clip): 5·20/13 = 7.69 → 8.
        var dim = U8([0, 0, 0, 0, 20, 0, 0, 0, 0], 1, 1, 3, 3);
        Assert.Equal([0, 0, 0, 0, 8, 0, 0, 0, 0], Values(ColorOps.Sharpness(dim, Args(0))));
    }

    [Fact]
    public void Sharpness_filters_each_rgb_channel_on_its_own()
    {
        using var scope = NewDisposeScope();
        // 3×3 image, one channel bright in the centre, the others flat: only the first channel changes.
        int[] c0 = [0, 0, 0, 0, 130, 0, 0, 0, 0];
        int[] c1 = [9, 9, 9, 9, 9, 9, 9, 9, 9];
        int[] c2 = [0, 13, 0, 0, 0, 0, 0, 0, 0];   // only a border pixel: centre = 13/13 = 1
        var result = Values(ColorOps.Sharpness(U8([.. c0, .. c1, .. c2], 1, 3, 3, 3), Args(0)));
        Assert.Equal([0, 0, 0, 0, 50, 0, 0, 0, 0, .. c1, 0, 13, 0, 0, 1, 0, 0, 0, 0], result);
    }

    [Fact]
    public void Ops_reject_images_that_are_not_uint8_with_one_or_three_channels()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => ColorOps.AutoContrast(zeros(1, 1, 2, 2)));
        Assert.Throws<ArgumentException>(() => ColorOps.Equalize(zeros(1, 2, 2, 2, ScalarType.Byte)));
        Assert.Throws<ArgumentException>(() => ColorOps.Brightness(zeros(2, 1, 2, 2, ScalarType.Byte), Args(1)));
    }
}
