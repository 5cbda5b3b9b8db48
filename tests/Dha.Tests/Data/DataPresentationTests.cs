using Dha.Data;

namespace Dha.Tests.Data;

public class DataPresentationTests
{
    private static LoadedDataset Grey(int n, int side)
    {
        var pixels = new byte[n * side * side];
        new Random(3).NextBytes(pixels);
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        return new LoadedDataset(
            ImageDataset.FromPixels(pixels, 1, side, side, labels, ["a", "b"]),
            ImageDataset.FromPixels(pixels, 1, side, side, labels, ["a", "b"]), "idx", "grey");
    }

    [Fact]
    public void Images_are_zero_padded_centred_and_their_grey_channel_repeated()
    {
        using var data = Grey(3, 5);
        using var presented = DataPresentation.Present(data, padTo: 8, channels: 3);
        Assert.Equal((3, 8, 8), (presented.Train.Channels, presented.Train.Height, presented.Train.Width));
        var before = data.Train.Images.data<byte>().ToArray();
        var after = presented.Train.Images.data<byte>().ToArray();
        for (var i = 0; i < 3; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < 8; y++)
                {
                    for (var x = 0; x < 8; x++)
                    {
                        // 5 in 8: 1 row/column above and left, 2 below and right
                        var inside = y is >= 1 and < 6 && x is >= 1 and < 6;
                        var expected = inside ? before[(i * 25) + ((y - 1) * 5) + (x - 1)] : (byte)0;
                        Assert.Equal(expected, after[(((i * 3) + c) * 64) + (y * 8) + x]);
                    }
                }
            }
        }
        Assert.Equal(data.Train.Labels.data<long>().ToArray(), presented.Train.Labels.data<long>().ToArray());
        Assert.Equal((3, 8), (presented.Test.Channels, presented.Test.Height));
    }

    [Fact]
    public void Nothing_to_change_gives_the_same_dataset_and_too_small_a_side_is_refused()
    {
        using var data = Grey(2, 5);
        Assert.Same(data, DataPresentation.Present(data, padTo: 0, channels: 0));
        Assert.Same(data, DataPresentation.Present(data, padTo: 5, channels: 0));
        var e = Assert.Throws<InvalidInputException>(() => DataPresentation.Present(data, padTo: 4, channels: 0));
        Assert.StartsWith("data.pad_to:", e.Message);
    }
}
