using Dha.Data;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class ImageDatasetTests
{
    internal static ImageDataset Random(int count, int channels, int side, int classes, int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[count * channels * side * side];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(_ => (long)random.Next(classes)).ToArray();
        return new ImageDataset(
            tensor(pixels, [count, channels, side, side], ScalarType.Byte),
            tensor(labels, ScalarType.Int64),
            Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray());
    }

    [Fact]
    public void Channel_statistics_match_a_direct_double_computation()
    {
        using var data = Random(count: 7, channels: 3, side: 5, classes: 2, seed: 1);
        var pixels = data.Images.data<byte>().ToArray();

        var (mean, std) = data.ChannelStatistics();

        for (var c = 0; c < 3; c++)
        {
            var values = new List<double>();
            for (var i = 0; i < 7; i++)
            {
                for (var p = 0; p < 25; p++)
                {
                    values.Add(pixels[(i * 3 + c) * 25 + p] / 255.0);
                }
            }
            var expectedMean = values.Average();
            var expectedStd = Math.Sqrt(values.Sum(v => (v - expectedMean) * (v - expectedMean)) / values.Count);
            Assert.Equal(expectedMean, mean[c], 6);
            Assert.Equal(expectedStd, std[c], 6);
        }
    }

    [Fact]
    public void Channel_statistics_of_a_two_valued_image_are_hand_computed()
    {
        // One channel, pixels 0 and 255 in equal number: mean 0.5, std 0.5.
        using var data = new ImageDataset(tensor(new byte[] { 0, 255, 255, 0 }, [1, 1, 2, 2], ScalarType.Byte), tensor(new long[] { 0 }), ["only"]);

        var (mean, std) = data.ChannelStatistics();

        Assert.Equal([0.5f], mean);
        Assert.Equal([0.5f], std);
    }

    [Fact]
    public void Subset_owns_copies_in_the_given_order()
    {
        using var data = Random(count: 6, channels: 2, side: 3, classes: 4, seed: 2);
        var labels = data.Labels.data<long>().ToArray();
        var image4 = data.Images[4].clone();

        using var subset = data.Subset([4, 1]);
        data.Images.zero_();

        Assert.Equal(2, subset.Count);
        Assert.Equal(new[] { labels[4], labels[1] }, subset.Labels.data<long>().ToArray());
        Assert.True(subset.Images[0].equal(image4).all().item<bool>());
        Assert.Equal(data.ClassNames, subset.ClassNames);
    }

    [Fact]
    public void Count_per_class_counts_every_label_including_absent_classes()
    {
        using var data = new ImageDataset(zeros([5, 1, 1, 1], ScalarType.Byte), tensor(new long[] { 2, 0, 2, 2, 0 }), ["a", "b", "c", "d"]);

        Assert.Equal([2L, 0, 3, 0], data.CountPerClass());
        Assert.Equal((5, 1, 1, 1, 4), (data.Count, data.Channels, data.Height, data.Width, data.ClassCount));
    }

    [Fact]
    public void Labels_outside_the_class_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ImageDataset(zeros([2, 1, 1, 1], ScalarType.Byte), tensor(new long[] { 0, 2 }), ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new ImageDataset(zeros([2, 1, 1, 1], ScalarType.Float32), tensor(new long[] { 0, 1 }), ["a", "b"]));
    }
}
