using System.Buffers.Binary;
using System.Text;

namespace Dha.Tests.Data;

/// <summary>
/// Writes pickles byte for byte as Python 2's cPickle (protocol 2) wrote the CIFAR python downloads: a dict filled by
/// MARK … SETITEMS, str keys as SHORT_BINSTRING, lists of ints by MARK … APPENDS in chunks of 1000, every container
/// memoised with BINPUT, and the numpy array as <c>numpy.core.multiarray._reconstruct</c> + BUILD with the state
/// (1, shape, dtype('u1'), False, raw bytes as BINSTRING).
/// </summary>
internal sealed class PickleFiles
{
    private readonly List<byte> _bytes = [0x80, 2];
    private byte _memo;

    /// <summary>A pickled dict of the given entries (values: long, string (py2 str), byte[] (uint8 N×3072 array rows), lists).</summary>
    public static byte[] Dict(params (string Key, object Value)[] entries)
    {
        var writer = new PickleFiles();
        writer.Op('}').Put().Op('(');
        foreach (var (key, value) in entries)
        {
            writer.Str(key).Put();
            writer.Value(value);
        }
        writer.Op('u').Op('.');
        return [.. writer._bytes];
    }

    /// <summary>A uint8 numpy array [rows, 3072] holding the row-major pixels.</summary>
    public sealed record NdArray(int Rows, int Columns, byte[] Pixels);

    private void Value(object value)
    {
        switch (value)
        {
            case long number:
                Int(number);
                break;
            case int number:
                Int(number);
                break;
            case string text:
                Str(text).Put();
                break;
            case NdArray array:
                NumpyArray(array);
                break;
            case IEnumerable<long> numbers:
                List(numbers.Cast<object>());
                break;
            case IEnumerable<string> texts:
                List(texts);
                break;
            default:
                throw new ArgumentException($"no pickle for {value.GetType()}");
        }
    }

    private void List(IEnumerable<object> items)
    {
        Op(']').Put();
        foreach (var chunk in items.Chunk(1000))
        {
            Op('(');
            foreach (var item in chunk)
            {
                Value(item);
            }
            Op('e');
        }
    }

    private void NumpyArray(NdArray array)
    {
        Global("numpy.core.multiarray", "_reconstruct").Put().Global("numpy", "ndarray").Put();
        Int(0).Op(0x85).Str("b").Put().Op(0x87).Op('R').Put();
        Op('(').Int(1).Int(array.Rows).Int(array.Columns).Op(0x86);
        Global("numpy", "dtype").Put().Str("u1").Put().Int(0).Int(1).Op(0x87).Op('R').Put();
        Op('(').Int(3).Str("|").Put().Op('N').Op('N').Op('N').Int(-1).Int(-1).Int(0).Op('t').Op('b');
        Op(0x89);
        Op('T');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, array.Pixels.Length);
        _bytes.AddRange(length.ToArray());
        _bytes.AddRange(array.Pixels);
        Put().Op('t').Op('b');
    }

    private PickleFiles Op(int opcode)
    {
        _bytes.Add((byte)opcode);
        return this;
    }

    private PickleFiles Put()
    {
        _memo++;
        return Op('q').Op(_memo);
    }

    private PickleFiles Global(string module, string name)
    {
        Op('c');
        _bytes.AddRange(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    private PickleFiles Str(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        if (bytes.Length < 256)
        {
            Op('U').Op(bytes.Length);
        }
        else
        {
            Op('T');
            _bytes.AddRange(BitConverter.GetBytes(bytes.Length));
        }
        _bytes.AddRange(bytes);
        return this;
    }

    private PickleFiles Int(long value)
    {
        if (value is >= 0 and < 256)
        {
            return Op('K').Op((int)value);
        }
        if (value is >= 0 and < 65536)
        {
            return Op('M').Op((int)(value & 0xff)).Op((int)(value >> 8));
        }
        Op('J');
        _bytes.AddRange(BitConverter.GetBytes((int)value));
        return this;
    }

    // ---- the CIFAR python files ----

    /// <summary>
    /// The N×3072 rows of a batch: the pixels of <see cref="DatasetFiles.CifarRecords"/> (same seed), so the python and
    /// binary versions of a set hold identical images.
    /// </summary>
    public static NdArray CifarPixels(int count, int seed)
    {
        var records = DatasetFiles.CifarRecords(Enumerable.Range(0, count).Select(_ => new byte[] { 0 }).ToArray(), seed);
        var pixels = new byte[count * 3072];
        for (var r = 0; r < count; r++)
        {
            Array.Copy(records, r * 3073 + 1, pixels, r * 3072, 3072);
        }
        return new NdArray(count, 3072, pixels);
    }

    private static string[] Names(int count, string stem) => Enumerable.Range(0, count).Select(i => $"{stem}_{i}.png").ToArray();

    /// <summary>The files of cifar-10-batches-py (name → bytes), with the images of <see cref="DatasetFiles.Cifar10Files"/>.</summary>
    public static Dictionary<string, byte[]> Cifar10Files(byte[][] trainLabelsPerBatch, byte[] testLabels)
    {
        var files = new Dictionary<string, byte[]>();
        for (var b = 0; b < 5; b++)
        {
            var labels = trainLabelsPerBatch[b];
            files[$"data_batch_{b + 1}"] = Dict(
                ("batch_label", $"training batch {b + 1} of 5"),
                ("labels", labels.Select(l => (long)l).ToArray()),
                ("data", CifarPixels(labels.Length, seed: b * 1000)),
                ("filenames", Names(labels.Length, $"train{b}")));
        }
        files["test_batch"] = Dict(
            ("batch_label", "testing batch 1 of 1"),
            ("labels", testLabels.Select(l => (long)l).ToArray()),
            ("data", CifarPixels(testLabels.Length, seed: 5000)),
            ("filenames", Names(testLabels.Length, "test")));
        files["batches.meta"] = Dict(("num_cases_per_batch", 10000L), ("label_names", DatasetFiles.Cifar10Names), ("num_vis", 3072L));
        return files;
    }

    /// <summary>The files of cifar-100-python, with the images of <see cref="DatasetFiles.Cifar100Files"/>.</summary>
    public static Dictionary<string, byte[]> Cifar100Files((byte Coarse, byte Fine)[] train, (byte Coarse, byte Fine)[] test)
    {
        byte[] Batch((byte Coarse, byte Fine)[] labels, int seed, string name) => Dict(
            ("filenames", Names(labels.Length, name)),
            ("batch_label", $"{name}ing batch 1 of 1"),
            ("fine_labels", labels.Select(l => (long)l.Fine).ToArray()),
            ("coarse_labels", labels.Select(l => (long)l.Coarse).ToArray()),
            ("data", CifarPixels(labels.Length, seed)));
        return new Dictionary<string, byte[]>
        {
            ["train"] = Batch(train, 0, "train"),
            ["test"] = Batch(test, 7, "test"),
            ["meta"] = Dict(
                ("fine_label_names", Enumerable.Range(0, 100).Select(i => $"fine{i}").ToArray()),
                ("coarse_label_names", Enumerable.Range(0, 20).Select(i => $"coarse{i}").ToArray())),
        };
    }
}
