using Dha.Data;

namespace Dha.Tests.Api;

public sealed class ImageDatasetFromPixelsTests
{
    [Fact]
    public void Pixels_are_read_image_by_image_channel_major()
    {
        const int n = 2, c = 3, h = 4, w = 5;
        var pixels = Enumerable.Range(0, n * c * h * w).Select(i => (byte)(i % 251)).ToArray();
        using var dataset = ImageDataset.FromPixels(pixels, c, h, w, [1, 0], ["a", "b"]);

        Assert.Equal((n, c, h, w), (dataset.Count, dataset.Channels, dataset.Height, dataset.Width));
        for (var i = 0; i < n; i++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                for (var y = 0; y < h; y++)
                {
                    for (var x = 0; x < w; x++)
                    {
                        Assert.Equal(pixels[(((i * c) + ch) * h + y) * w + x], dataset.Images[i, ch, y, x].item<byte>());
                    }
                }
            }
        }
        Assert.Equal([1L, 0L], dataset.Labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData(59, 3, 2, "labels need 60 pixels")]
    [InlineData(60, 2, 2, "1 or 3 channels")]
    public void Wrong_sizes_are_refused(int length, int channels, int labels, string message)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ImageDataset.FromPixels(new byte[length], channels, 2, 5, new int[labels], ["a"]));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_outside_the_classes_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageDataset.FromPixels(new byte[4], 1, 2, 2, [2], ["a", "b"]));
        Assert.Contains("2 classes", error.Message, StringComparison.Ordinal);
    }
}
