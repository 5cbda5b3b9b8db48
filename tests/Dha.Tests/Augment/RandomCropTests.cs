using Dha.Augment;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class RandomCropTests
{
    [Fact]
    public void A_crop_is_the_window_at_the_offset_of_the_zero_padded_image()
    {
        using var scope = NewDisposeScope();
        // two images, two channels (the second channel is the first + 10), 3×3, padded by 2 to 7×7
        int[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        int[] channels = [.. image, .. image.Select(v => v + 10)];
        var images = U8([.. channels, .. channels], 2, 2, 3, 3);

        var cropped = BatchAugmenter.Crop(images, 2, top: [0, 4], left: [3, 1]);

        // image 0 at (0, 3): padded rows 0..2 = image rows −2..0, padded columns 3..5 = image columns 1..3
        int[] first = [0, 0, 0, 0, 0, 0, 2, 3, 0];
        // image 1 at (4, 1): image rows 2..4, columns −1..1
        int[] second = [0, 7, 8, 0, 0, 0, 0, 0, 0];
        int[] Shifted(int[] c) => [.. c.Select(v => v == 0 ? 0 : v + 10)];
        Assert.Equal([.. first, .. Shifted(first), .. second, .. Shifted(second)], Values(cropped));
        Assert.Equal(new long[] { 2, 2, 3, 3 }, cropped.shape);
    }

    [Fact]
    public void The_centre_offset_gives_the_image_back()
    {
        using var scope = NewDisposeScope();
        var images = Random(3, 4, 3, 6, 5);
        var cropped = BatchAugmenter.Crop(images, 3, top: [3, 3, 3, 3], left: [3, 3, 3, 3]);
        Assert.Equal(Values(images), Values(cropped));
    }

    [Fact]
    public void The_augmenter_crops_every_image_at_a_seeded_offset_within_0_to_2p()
    {
        using var scope = NewDisposeScope();
        const int side = 5, padding = 2, batch = 300;
        // mean 0, std 1: the output is v/255, so each pixel value can be read back; every pixel of an image is distinct
        var augmenter = new BatchAugmenter(new AugmentSettings([0f], [1f], 0, false, false, CropPadding: padding));
        var pixels = Enumerable.Range(1, side * side).ToArray();
        var images = U8([.. Enumerable.Repeat(pixels, batch).SelectMany(p => p)], batch, 1, side, side);

        var output = Read(augmenter.Prepare(11)(images).Images);
        var tops = new HashSet<int>();
        var lefts = new HashSet<int>();
        for (var b = 0; b < batch; b++)
        {
            var image = output.Skip(b * side * side).Take(side * side).ToArray();
            // any cropped window of a 5×5 image padded by 2 keeps at least one pixel; it gives away the offset
            var at = Array.FindIndex(image, v => v != 0);
            var source = image[at] - 1;
            var top = source / side - at / side + padding;
            var left = source % side - at % side + padding;
            Assert.InRange(top, 0, 2 * padding);
            Assert.InRange(left, 0, 2 * padding);
            tops.Add(top);
            lefts.Add(left);
            Assert.Equal(WindowByHand(pixels, side, padding, top, left), image);
        }
        Assert.Equal(5, tops.Count);
        Assert.Equal(5, lefts.Count);

        Assert.Equal(output, Read(augmenter.Prepare(11)(images).Images));
        Assert.NotEqual(output, Read(augmenter.Prepare(12)(images).Images));
    }

    [Fact]
    public void A_negative_padding_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(new AugmentSettings([0.5f], [0.25f], 0, false, false, CropPadding: -1)));
    }

    /// <summary>Pixel values (0 outside the image) of the window at (top, left) of the padded image, element by element.</summary>
    private static int[] WindowByHand(int[] image, int side, int padding, int top, int left)
    {
        var window = new int[side * side];
        for (var i = 0; i < side; i++)
        {
            for (var j = 0; j < side; j++)
            {
                int r = i + top - padding, c = j + left - padding;
                window[i * side + j] = r >= 0 && r < side && c >= 0 && c < side ? image[r * side + c] : 0;
            }
        }
        return window;
    }

    private static int[] Read(Tensor normalised) => [.. normalised.data<float>().ToArray().Select(v => (int)Math.Round(v * 255))];
}
