using System.Text;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Reads the binary versions of CIFAR-10 and CIFAR-100, from the extracted folder or straight from the downloaded
/// <c>.tar.gz</c>. A CIFAR binary file is a bare sequence of fixed-size records, so its length must be a whole number
/// of records: CIFAR-10 is <c>[label][3072 pixels]</c> (data_batch_1..5.bin, test_batch.bin, batches.meta.txt);
/// CIFAR-100 is <c>[coarse label][fine label][3072 pixels]</c> (train.bin, test.bin, fine_label_names.txt), and we
/// classify by the fine label. Pixels are stored channel-planar (1024 R, 1024 G, 1024 B), i.e. already [3, 32, 32].
/// The <c>.tar.gz</c> is opened by <see cref="CifarArchive"/>.
/// </summary>
internal static class CifarReader
{
    internal const int Side = 32;
    internal const int PixelBytes = 3 * Side * Side;

    private static readonly string[] Cifar10TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    internal static readonly string[] Cifar10ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    internal static readonly HashSet<string> KnownFiles =
        [.. Cifar10TrainFiles, "test_batch.bin", "batches.meta.txt", "train.bin", "test.bin", "fine_label_names.txt"];

    /// <summary>"cifar-10", "cifar-100" or null, from which CIFAR binary files exist (<paramref name="has"/> by name).</summary>
    public static string? Recognise(Func<string, bool> has) =>
        has("data_batch_1.bin") ? "cifar-10"
        : has("train.bin") && has("test.bin") ? "cifar-100"
        : null;

    /// <summary>Reads an extracted <c>cifar-10-batches-bin</c> or <c>cifar-100-binary</c> folder.</summary>
    public static LoadedDataset LoadFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        var format = Recognise(name => File.Exists(Path.Combine(full, name)))
            ?? throw new InvalidInputException($"{full}: no CIFAR binary files (data_batch_1.bin or train.bin + test.bin)");
        return Load(format, full, name =>
        {
            var path = Path.Combine(full, name);
            return File.Exists(path) ? BoundedRead.File(path) : null;
        }, name => Path.Combine(full, name));
    }

    /// <summary>
    /// Reads the files of <paramref name="format"/> through <paramref name="read"/> (null when a file is absent);
    /// <paramref name="describe"/> names a file in errors. Shared by the folder and the archive.
    /// </summary>
    internal static LoadedDataset Load(string format, string path, Func<string, byte[]?> read, Func<string, string> describe)
    {
        var cifar100 = format == "cifar-100";
        var labelBytes = cifar100 ? 2 : 1;
        var classCount = cifar100 ? 100 : 10;
        var trainFiles = cifar100 ? new[] { "train.bin" } : Cifar10TrainFiles;
        var testFile = cifar100 ? "test.bin" : "test_batch.bin";
        var namesFile = cifar100 ? "fine_label_names.txt" : "batches.meta.txt";

        var names = ReadClassNames(read(namesFile), describe(namesFile), classCount)
            ?? (cifar100 ? Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() : Cifar10ClassNames);
        var train = ReadRecords(trainFiles, read, describe, labelBytes, classCount, names);
        try
        {
            var test = ReadRecords([testFile], read, describe, labelBytes, classCount, names);
            return new LoadedDataset(train, test, format, path);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static string[]? ReadClassNames(byte[]? bytes, string path, int classCount)
    {
        if (bytes is null)
        {
            return null;
        }
        var names = Encoding.UTF8.GetString(bytes).Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        if (names.Length != classCount)
        {
            throw new InvalidInputException($"{path}: {names.Length} class names, expected {classCount}");
        }
        return names;
    }

    private static byte[] Concatenate(List<byte[]> parts)
    {
        var all = new byte[parts.Sum(part => (long)part.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(all, offset);
            offset += part.Length;
        }
        return all;
    }

    private static ImageDataset ReadRecords(string[] files, Func<string, byte[]?> read, Func<string, string> describe, int labelBytes, int classCount, string[] names)
    {
        var recordSize = labelBytes + PixelBytes;
        var parts = new List<byte[]>();
        foreach (var file in files)
        {
            var bytes = read(file) ?? throw new InvalidInputException($"{describe(file)}: missing");
            if (bytes.Length == 0 || bytes.Length % recordSize != 0)
            {
                throw new InvalidInputException(
                    $"{describe(file)}: {bytes.Length} bytes is not a whole number of {recordSize}-byte records (truncated or not {(labelBytes == 2 ? "CIFAR-100" : "CIFAR-10")})");
            }
            for (var record = 0; record < bytes.Length / recordSize; record++)
            {
                // The fine (last) label byte is the class; CIFAR-100's coarse byte must name one of its 20 superclasses.
                var label = bytes[record * recordSize + labelBytes - 1];
                if (label >= classCount)
                {
                    throw new InvalidInputException($"{describe(file)}: label {label} of record {record} is outside the {classCount} classes (0..{classCount - 1})");
                }
                if (labelBytes == 2 && bytes[record * recordSize] >= 20)
                {
                    throw new InvalidInputException($"{describe(file)}: coarse label {bytes[record * recordSize]} of record {record} is outside the 20 superclasses (0..19)");
                }
            }
            parts.Add(bytes);
        }
        var all = parts.Count == 1 ? parts[0] : Concatenate(parts);
        var count = all.Length / recordSize;
        using var scope = NewDisposeScope();
        var records = tensor(all, [count, recordSize], ScalarType.Byte);
        var labels = records.select(1, labelBytes - 1).to_type(ScalarType.Int64);
        var images = records.narrow(1, labelBytes, PixelBytes).reshape(count, 3, Side, Side).contiguous();
        return new ImageDataset(images, labels, names);
    }
}
