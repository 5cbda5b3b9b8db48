using Dha.Augment;
using static TorchSharp.torch;

namespace Dha.Report;

/// <summary>
/// What an op pair does to real images: a few test images, each put through the pair's first op and then its second
/// with the run's level map (<see cref="OpTable"/>, the training pipeline's ops), at one fixed level and sign so the
/// grid is the same every time the report is made.
/// </summary>
internal static class AugmentationSamples
{
    /// <summary>The level every sample op runs at: the middle of the 0–8 scale.</summary>
    public const double Level = OpTable.MaxLevel / 2;

    /// <summary><paramref name="count"/> images spread over <paramref name="images"/> (uint8 [N, C, H, W]): the indices taken.</summary>
    public static long[] Pick(Tensor images, int count)
    {
        var n = images.shape[0];
        return [.. Enumerable.Range(0, (int)Math.Min(count, n)).Select(i => i * n / Math.Min(count, n))];
    }

    /// <summary>The images of <paramref name="indices"/> after <paramref name="first"/> then <paramref name="second"/>, as PNG (the pair Identity, Identity gives them unchanged).</summary>
    /// <param name="images">uint8 [N, C, H, W].</param>
    /// <param name="indices">The images taken.</param>
    /// <param name="first">The pair's first op.</param>
    /// <param name="second">The pair's second op.</param>
    /// <param name="levelMap">The run's level → argument map.</param>
    /// <param name="fill">The fill colour of the geometric ops (round(255·mean) per channel, as in training).</param>
    public static byte[][] Augmented(Tensor images, long[] indices, AugmentOp first, AugmentOp second, LevelMap levelMap, byte[] fill)
    {
        using var scope = NewDisposeScope();
        var x = images.index_select(0, tensor(indices));
        foreach (var op in new[] { first, second })
        {
            var argument = OpTable.Argument(op, Level, negate: false, levelMap);
            x = OpTable.Apply(op, x, [.. indices.Select(_ => argument)], fill);
        }
        return [.. indices.Select((_, i) => PngImage.Encode(x[i]))];
    }
}
