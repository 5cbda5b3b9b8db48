using System.Globalization;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Reads the python versions of CIFAR-10 and CIFAR-100 (the most common download), from the extracted folder or, through
/// <see cref="CifarArchive"/>, the <c>.tar.gz</c>. Each file is a pickled dict (read by the restricted
/// <see cref="Pickle"/>): a batch holds <c>data</c>, a uint8 numpy array N×3072 (channel-planar: 1024 R, 1024 G,
/// 1024 B, i.e. already [3, 32, 32]), and <c>labels</c> (CIFAR-10: data_batch_1..5, test_batch) or <c>fine_labels</c>
/// (CIFAR-100: train, test), a list of N ints; the meta file names the classes (<c>label_names</c> in batches.meta,
/// <c>fine_label_names</c> in meta). Every size and label is checked, so a damaged file is named, never half-read.
/// </summary>
internal static class CifarPythonReader
{
    private static readonly string[] Cifar10TrainFiles = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"];

    internal static readonly HashSet<string> KnownFiles = [.. Cifar10TrainFiles, "test_batch", "batches.meta", "train", "test", "meta"];

    /// <summary>"cifar-10-python", "cifar-100-python" or null, from which files exist (<paramref name="has"/> by name).</summary>
    public static string? Recognise(Func<string, bool> has) =>
        has("data_batch_1") ? "cifar-10-python"
        : has("train") && has("test") && has("meta") ? "cifar-100-python"
        : null;

    /// <summary>Reads an extracted <c>cifar-10-batches-py</c> or <c>cifar-100-python</c> folder.</summary>
    public static LoadedDataset LoadFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        var format = Recognise(name => File.Exists(Path.Combine(full, name)))
            ?? throw new InvalidInputException($"{full}: no CIFAR python files (data_batch_1, or train + test + meta)");
        return Load(format, full, name =>
        {
            var path = Path.Combine(full, name);
            return File.Exists(path) ? BoundedRead.File(path) : null;
        }, name => Path.Combine(full, name));
    }

    /// <summary>
    /// Reads the files of <paramref name="format"/> through <paramref name="read"/> (null when a file is absent);
    /// <paramref name="describe"/> names a file in errors.
    /// </summary>
    internal static LoadedDataset Load(string format, string path, Func<string, byte[]?> read, Func<string, string> describe)
    {
        var cifar100 = format == "cifar-100-python";
        var classCount = cifar100 ? 100 : 10;
        var trainFiles = cifar100 ? new[] { "train" } : Cifar10TrainFiles;
        var testFile = cifar100 ? "test" : "test_batch";
        var (metaFile, namesKey) = cifar100 ? ("meta", "fine_label_names") : ("batches.meta", "label_names");
        var labelsKey = cifar100 ? "fine_labels" : "labels";

        var names = ReadClassNames(read(metaFile), describe(metaFile), namesKey, classCount)
            ?? (cifar100 ? Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray() : CifarReader.Cifar10ClassNames);
        var train = ReadBatches(trainFiles, read, describe, labelsKey, classCount, names);
        try
        {
            var test = ReadBatches([testFile], read, describe, labelsKey, classCount, names);
            return new LoadedDataset(train, test, format, path);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static Dictionary<string, object?> ReadDict(byte[] bytes, string file) =>
        Pickle.Load(bytes, file) as Dictionary<string, object?>
            ?? throw new InvalidInputException($"{file}: the pickle holds no dict (not a CIFAR python file)");

    private static object? Entry(Dictionary<string, object?> dict, string key, string file) =>
        dict.TryGetValue(key, out var value) ? value : throw new InvalidInputException($"{file}: no '{key}' entry (not a CIFAR python file of this kind)");

    private static string[]? ReadClassNames(byte[]? bytes, string file, string key, int classCount)
    {
        if (bytes is null)
        {
            return null;
        }
        var list = Entry(ReadDict(bytes, file), key, file) as List<object?>
            ?? throw new InvalidInputException($"{file}: '{key}' is not a list");
        if (list.Count != classCount)
        {
            throw new InvalidInputException($"{file}: {list.Count} class names, expected {classCount}");
        }
        return list.Select(name => name switch
        {
            string text => text,
            byte[] raw => System.Text.Encoding.UTF8.GetString(raw),
            _ => throw new InvalidInputException($"{file}: '{key}' holds something that is not a name"),
        }).ToArray();
    }

    private static ImageDataset ReadBatches(string[] files, Func<string, byte[]?> read, Func<string, string> describe, string labelsKey, int classCount, string[] names)
    {
        var pixels = new List<byte[]>();
        var labels = new List<long>();
        foreach (var file in files)
        {
            var where = describe(file);
            var dict = ReadDict(read(file) ?? throw new InvalidInputException($"{where}: missing"), where);
            var data = Entry(dict, "data", where) as Pickle.NumpyArray
                ?? throw new InvalidInputException($"{where}: 'data' is not a numpy array");
            if (data.DType != "u1" || data.Shape.Length != 2 || data.Shape[1] != CifarReader.PixelBytes || data.Shape[0] < 1)
            {
                throw new InvalidInputException(
                    $"{where}: 'data' is {data.DType} [{string.Join(", ", data.Shape)}], expected u1 [N, {CifarReader.PixelBytes}]");
            }
            var count = data.Shape[0];
            if (data.Data.Length != count * CifarReader.PixelBytes)
            {
                throw new InvalidInputException($"{where}: 'data' holds {data.Data.Length} bytes, its shape needs {count * CifarReader.PixelBytes} (truncated)");
            }
            var list = Entry(dict, labelsKey, where) as List<object?>
                ?? throw new InvalidInputException($"{where}: '{labelsKey}' is not a list");
            if (list.Count != count)
            {
                throw new InvalidInputException($"{where}: {list.Count} labels for {count} images");
            }
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not long label || label < 0 || label >= classCount)
                {
                    throw new InvalidInputException($"{where}: label {list[i]} of image {i} is outside the {classCount} classes (0..{classCount - 1})");
                }
                labels.Add(label);
            }
            pixels.Add(data.Data);
        }
        var total = labels.Count;
        using var scope = NewDisposeScope();
        var images = zeros([total, 3, CifarReader.Side, CifarReader.Side], ScalarType.Byte);
        var offset = 0;
        foreach (var part in pixels)
        {
            var n = part.Length / CifarReader.PixelBytes;
            images.narrow(0, offset, n).copy_(tensor(part, [n, 3, CifarReader.Side, CifarReader.Side], ScalarType.Byte));
            offset += n;
        }
        return new ImageDataset(images, tensor(labels.ToArray(), ScalarType.Int64), names);
    }
}
