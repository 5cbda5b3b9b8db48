using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// A labelled image set held in memory as one uint8 tensor [N, C, H, W] plus int64 labels [N]. Pixels stay uint8
/// (a quarter of float32's memory) until a batch is gathered, so a whole dataset fits in RAM and a batch is one
/// <c>index_select</c>. The dataset owns its two tensors and disposes them.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>Takes ownership of <paramref name="images"/> and <paramref name="labels"/> (they leave any dispose scope).</summary>
    /// <param name="images">uint8 [N, C, H, W].</param>
    /// <param name="labels">int64 [N], each in [0, classNames.Count).</param>
    /// <param name="classNames">One name per class, in label order.</param>
    internal ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
        {
            throw new ArgumentException($"images must be uint8 [N, C, H, W], got {images.dtype} [{string.Join(", ", images.shape)}]", nameof(images));
        }
        if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException($"labels must be int64 [{images.shape[0]}], got {labels.dtype} [{string.Join(", ", labels.shape)}]", nameof(labels));
        }
        if (classNames.Count == 0)
        {
            throw new ArgumentException("at least one class name is needed", nameof(classNames));
        }
        if (labels.shape[0] > 0)
        {
            using var scope = NewDisposeScope();
            var min = labels.min().ToInt64();
            var max = labels.max().ToInt64();
            if (min < 0 || max >= classNames.Count)
            {
                throw new ArgumentException($"labels span [{min}, {max}] but there are {classNames.Count} classes", nameof(labels));
            }
        }
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames.ToArray();
    }

    /// <summary>
    /// A dataset from plain arrays, for callers that do not use TorchSharp: <paramref name="pixels"/> holds the images
    /// one after another, each channel-major (C planes of H rows of W bytes), so its length is N·C·H·W for the N labels.
    /// </summary>
    /// <param name="pixels">uint8 pixels, N·C·H·W of them.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="height">Rows of every image.</param>
    /// <param name="width">Columns of every image.</param>
    /// <param name="labels">One class index per image, each in [0, classNames.Count).</param>
    /// <param name="classNames">One name per class, in label order.</param>
    public static ImageDataset FromPixels(byte[] pixels, int channels, int height, int width, int[] labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (channels is not (1 or 3) || height < 1 || width < 1)
        {
            throw new ArgumentException($"images must have 1 or 3 channels and at least one pixel, got {channels}x{height}x{width}");
        }
        if (pixels.LongLength != (long)labels.Length * channels * height * width)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {(long)labels.Length * channels * height * width} pixels of {channels}x{height}x{width}, got {pixels.LongLength}", nameof(pixels));
        }
        using var scope = NewDisposeScope();
        return new ImageDataset(
            tensor(pixels, [labels.Length, channels, height, width], ScalarType.Byte),
            tensor(labels.Select(l => (long)l).ToArray(), ScalarType.Int64),
            classNames);
    }

    /// <summary>uint8 [N, C, H, W].</summary>
    internal Tensor Images { get; }

    /// <summary>int64 [N].</summary>
    internal Tensor Labels { get; }

    /// <summary>One name per class, in label order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>1 for grey images, 3 for colour ones.</summary>
    public int Channels => (int)Images.shape[1];

    /// <summary>Rows of every image.</summary>
    public int Height => (int)Images.shape[2];

    /// <summary>Columns of every image.</summary>
    public int Width => (int)Images.shape[3];

    /// <summary>The number of classes (of <see cref="ClassNames"/>, whether or not every one has images).</summary>
    public int ClassCount => ClassNames.Count;

    /// <summary>
    /// Per-channel mean and (population) standard deviation in [0, 1] pixel units (pixel / 255), the values a
    /// normaliser needs. Sums are taken exactly in integers over chunks of images, so the result does not depend
    /// on summation order and no float copy of the whole set is made.
    /// </summary>
    internal (float[] Mean, float[] Std) ChannelStatistics()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("an empty dataset has no statistics");
        }
        var sum = new long[Channels];
        var sumOfSquares = new long[Channels];
        var pixelsPerImage = (long)Height * Width;
        var chunk = Math.Max(1, (1L << 22) / (pixelsPerImage * Channels));
        var dims = new long[] { 0, 2, 3 };
        for (long start = 0; start < Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            var part = Images.narrow(0, start, Math.Min(chunk, Count - start)).to_type(ScalarType.Int64);
            var partSum = part.sum(dims).data<long>().ToArray();
            var partSquares = part.mul(part).sum(dims).data<long>().ToArray();
            for (var c = 0; c < Channels; c++)
            {
                sum[c] += partSum[c];
                sumOfSquares[c] += partSquares[c];
            }
        }
        var mean = new float[Channels];
        var std = new float[Channels];
        Int128 n = (long)Count * pixelsPerImage;
        for (var c = 0; c < Channels; c++)
        {
            // n² var = n Σx² − (Σx)², exact in 128-bit integers.
            var scaledVariance = n * sumOfSquares[c] - (Int128)sum[c] * sum[c];
            mean[c] = (float)((double)sum[c] / (double)n / 255.0);
            std[c] = (float)(Math.Sqrt((double)scaledVariance) / (double)n / 255.0);
        }
        return (mean, std);
    }

    /// <summary>The images at <paramref name="indices"/> (in that order), as a new dataset owning copies.</summary>
    internal ImageDataset Subset(long[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (var index in indices)
        {
            if (index < 0 || index >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {index} is outside [0, {Count})");
            }
        }
        using var scope = NewDisposeScope();
        var select = torch.tensor(indices, ScalarType.Int64);
        var images = Images.index_select(0, select).MoveToOuterDisposeScope();
        var labels = Labels.index_select(0, select).MoveToOuterDisposeScope();
        return new ImageDataset(images, labels, ClassNames);
    }

    /// <summary>The number of images of each class, indexed by label.</summary>
    internal long[] CountPerClass()
    {
        using var scope = NewDisposeScope();
        return Labels.bincount(null, ClassCount).data<long>().ToArray();
    }

    /// <summary>Frees the native memory of the images and labels.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
