using System.Buffers.Binary;
using System.IO.Compression;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Reads the MNIST family (MNIST, Fashion-MNIST, KMNIST): <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
/// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each optionally gzipped. An idx file is a big-endian
/// header (magic 2051 for images with 3 dimensions, 2049 for labels with 1) followed by exactly the announced bytes;
/// anything else is a damaged or foreign file and is reported, never half-read.
/// </summary>
internal static class IdxReader
{
    internal const int ImagesMagic = 2051;
    internal const int LabelsMagic = 2049;

    private static readonly string[] FashionClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>True when <paramref name="folder"/> holds the training images of an idx dataset.</summary>
    public static bool Recognises(string folder) => Find(folder, "train", "images", "idx3") is not null;

    /// <summary>
    /// Reads both splits of the idx dataset in <paramref name="folder"/>. Fashion-MNIST (a path containing "fashion")
    /// gets its 10 class names; other sets are named "0", "1", … up to the largest training label.
    /// </summary>
    public static LoadedDataset Load(string folder)
    {
        var trainImages = Require(folder, "train", "images", "idx3");
        var trainLabels = Require(folder, "train", "labels", "idx1");
        var testImages = Require(folder, "t10k", "images", "idx3");
        var testLabels = Require(folder, "t10k", "labels", "idx1");
        var fashion = Path.GetFullPath(folder).Contains("fashion", StringComparison.OrdinalIgnoreCase);

        var (trainPixels, trainShape) = ReadImages(trainImages);
        var trainLabelBytes = ReadLabels(trainLabels, trainShape[0], trainImages);
        var classCount = fashion ? FashionClassNames.Length : trainLabelBytes.Max() + 1;
        CheckLabelRange(trainLabels, trainLabelBytes, classCount);
        var (testPixels, testShape) = ReadImages(testImages);
        if (testShape[1] != trainShape[1] || testShape[2] != trainShape[2])
        {
            throw new InvalidInputException(
                $"{testImages}: images are {testShape[1]}x{testShape[2]} but the training images are {trainShape[1]}x{trainShape[2]}");
        }
        var testLabelBytes = ReadLabels(testLabels, testShape[0], testImages);
        CheckLabelRange(testLabels, testLabelBytes, classCount);

        IReadOnlyList<string> names = fashion
            ? FashionClassNames
            : Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var train = ToDataset(trainPixels, trainShape, trainLabelBytes, names);
        try
        {
            var test = ToDataset(testPixels, testShape, testLabelBytes, names);
            return new LoadedDataset(train, test, "idx", Path.GetFullPath(folder));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>Reads an idx3 image file: the pixel bytes and (count, rows, columns).</summary>
    internal static (byte[] Pixels, int[] Shape) ReadImages(string path)
    {
        using var stream = Open(path);
        var header = ReadHeader(stream, path, 16);
        CheckMagic(path, header, ImagesMagic, "images (idx3)");
        var count = Dimension(header, 4, path, "image count");
        var rows = Dimension(header, 8, path, "row count");
        var columns = Dimension(header, 12, path, "column count");
        if (rows > 4096 || columns > 4096)
        {
            throw new InvalidInputException($"{path}: images of {rows}x{columns} pixels are not plausible for an idx file");
        }
        var pixels = ReadPayload(stream, path, 16, (long)count * rows * columns);
        return (pixels, [count, rows, columns]);
    }

    /// <summary>Reads an idx1 label file that must hold <paramref name="expectedCount"/> labels.</summary>
    internal static byte[] ReadLabels(string path, int expectedCount, string imagesPath)
    {
        using var stream = Open(path);
        var header = ReadHeader(stream, path, 8);
        CheckMagic(path, header, LabelsMagic, "labels (idx1)");
        var count = Dimension(header, 4, path, "label count");
        if (count != expectedCount)
        {
            throw new InvalidInputException($"{path}: {count} labels but {Path.GetFileName(imagesPath)} holds {expectedCount} images");
        }
        return ReadPayload(stream, path, 8, count);
    }

    private static void CheckLabelRange(string path, byte[] labels, int classCount)
    {
        var index = Array.FindIndex(labels, label => label >= classCount);
        if (index >= 0)
        {
            throw new InvalidInputException($"{path}: label {labels[index]} of item {index} is outside the {classCount} classes (0..{classCount - 1})");
        }
    }

    private static ImageDataset ToDataset(byte[] pixels, int[] shape, byte[] labels, IReadOnlyList<string> names)
    {
        using var scope = NewDisposeScope();
        var images = tensor(pixels, [shape[0], 1, shape[1], shape[2]], ScalarType.Byte);
        var labelTensor = tensor(labels, [labels.Length], ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageDataset(images, labelTensor, names);
    }

    private static string? Find(string folder, string split, string kind, string idx)
    {
        var prefixes = split == "train" ? new[] { "train" } : new[] { "t10k", "test" };
        foreach (var prefix in prefixes)
        {
            foreach (var separator in new[] { "-", "." })
            {
                foreach (var suffix in new[] { "", ".gz" })
                {
                    var candidate = Path.Combine(folder, $"{prefix}-{kind}{separator}{idx}-ubyte{suffix}");
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }
        return null;
    }

    private static string Require(string folder, string split, string kind, string idx) =>
        Find(folder, split, kind, idx)
        ?? throw new InvalidInputException($"{Path.Combine(folder, $"{split}-{kind}-{idx}-ubyte[.gz]")}: missing (an idx dataset needs train and t10k images and labels)");

    private static Stream Open(string path)
    {
        Stream file = File.OpenRead(path);
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return file;
        }
        var magic = new byte[2];
        var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (read < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
        {
            file.Dispose();
            throw new InvalidInputException($"{path}: not a gzip file");
        }
        return new GZipStream(file, CompressionMode.Decompress);
    }

    private static byte[] ReadHeader(Stream stream, string path, int length)
    {
        var header = new byte[length];
        var read = Fill(stream, path, header);
        if (read < length)
        {
            throw new InvalidInputException($"{path}: truncated: {read} bytes, shorter than the {length}-byte idx header");
        }
        return header;
    }

    private static void CheckMagic(string path, byte[] header, int expected, string what)
    {
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expected)
        {
            throw new InvalidInputException($"{path}: wrong magic number {magic} (expected {expected} for idx {what})");
        }
    }

    private static int Dimension(byte[] header, int offset, string path, string what)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(offset));
        if (value <= 0)
        {
            throw new InvalidInputException($"{path}: {what} {value} in the header must be positive");
        }
        return value;
    }

    private static byte[] ReadPayload(Stream stream, string path, int headerLength, long expected)
    {
        // the claim is checked against the file before anything is allocated from it (a gzip stream's length is
        // known only by reading it, and BoundedRead grows its buffer with what really arrives)
        if (stream.CanSeek && stream.Length - headerLength != expected)
        {
            throw new InvalidInputException(stream.Length - headerLength < expected
                ? $"{path}: truncated: {stream.Length} bytes, but the header announces {headerLength + expected}"
                : $"{path}: longer than the {headerLength + expected} bytes its header announces");
        }
        byte[]? payload;
        try
        {
            payload = BoundedRead.Exactly(stream, expected, $"{path}: the header");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{path}: corrupt gzip data ({e.Message})", inner: e);
        }
        if (payload is null)
        {
            throw new InvalidInputException($"{path}: truncated: shorter than the {headerLength + expected} bytes its header announces");
        }
        if (Fill(stream, path, new byte[1]) != 0)
        {
            throw new InvalidInputException($"{path}: longer than the {headerLength + expected} bytes its header announces");
        }
        return payload;
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; a corrupt gzip stream is bad input.</summary>
    private static int Fill(Stream stream, string path, byte[] buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputException($"{path}: corrupt gzip data ({e.Message})", inner: e);
        }
    }
}
