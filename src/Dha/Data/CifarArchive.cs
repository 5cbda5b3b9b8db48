using System.Formats.Tar;
using System.IO.Compression;

namespace Dha.Data;

/// <summary>
/// Reads a CIFAR download straight from its <c>.tar.gz</c>, without extracting it to disk: the binary version
/// (<c>cifar-10-binary.tar.gz</c>, <c>cifar-100-binary.tar.gz</c>) or the python version (<c>cifar-10-python.tar.gz</c>,
/// <c>cifar-100-python.tar.gz</c>), told apart by the files inside, not by the archive's name.
/// </summary>
internal static class CifarArchive
{
    /// <exception cref="InvalidInputException">Not a readable archive, truncated, or holding no CIFAR files.</exception>
    public static LoadedDataset Load(string archive)
    {
        var full = Path.GetFullPath(archive);
        var files = Read(full);
        byte[]? ReadEntry(string name) => files.TryGetValue(name, out var entry) ? entry.Bytes : null;
        string Describe(string name) => files.TryGetValue(name, out var entry) ? $"{full}:{entry.EntryName}" : $"{full}:{name}";
        if (CifarReader.Recognise(files.ContainsKey) is { } binary)
        {
            return CifarReader.Load(binary, full, ReadEntry, Describe);
        }
        if (CifarPythonReader.Recognise(files.ContainsKey) is { } python)
        {
            return CifarPythonReader.Load(python, full, ReadEntry, Describe);
        }
        throw new InvalidInputException(
            $"{full}: the archive holds no CIFAR files (binary: data_batch_1.bin or train.bin + test.bin; python: data_batch_1 or train + test)");
    }

    /// <summary>The archive's regular files whose names a CIFAR reader knows, by file name.</summary>
    private static Dictionary<string, (string EntryName, byte[] Bytes)> Read(string archive)
    {
        if (!File.Exists(archive))
        {
            throw new InvalidInputException($"{archive}: no such file");
        }
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        try
        {
            using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                var known = CifarReader.KnownFiles.Contains(name) || CifarPythonReader.KnownFiles.Contains(name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !known || entry.DataStream is null)
                {
                    continue;
                }
                var where = $"{archive}:{entry.Name}";
                var bytes = BoundedRead.Exactly(entry.DataStream, entry.Length, where)
                    ?? throw new InvalidInputException($"{where}: truncated (the archive ends inside the entry's {entry.Length} bytes)");
                files[name] = (entry.Name, bytes);
            }
        }
        // a damaged tar header makes TarReader overflow a size or a timestamp as often as it reports bad data
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or OverflowException or ArgumentException)
        {
            throw new InvalidInputException($"{archive}: not a readable .tar.gz archive, or truncated ({e.Message})", inner: e);
        }
        return files;
    }
}
