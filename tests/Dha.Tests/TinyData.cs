using System.IO.Compression;

namespace Dha.Tests;

/// <summary>
/// Small real datasets for end-to-end tests: the first images of the shipped Fashion-MNIST subset, rewritten as idx
/// files (the real layout, with the header's count changed) in a temporary folder.
/// </summary>
internal static class TinyData
{
    public static string ShippedDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "fashion-mnist-small");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new DirectoryNotFoundException("data/fashion-mnist-small not found above the test binaries");
        }
    }

    /// <summary>Writes the first <paramref name="train"/> and <paramref name="test"/> images; returns the folder.</summary>
    public static string Create(string directory, int train, int test)
    {
        Directory.CreateDirectory(directory);
        Cut("train-images-idx3-ubyte.gz", train, directory);
        Cut("train-labels-idx1-ubyte.gz", train, directory);
        Cut("t10k-images-idx3-ubyte.gz", test, directory);
        Cut("t10k-labels-idx1-ubyte.gz", test, directory);
        return directory;
    }

    private static void Cut(string name, int count, string directory)
    {
        using var input = new GZipStream(File.OpenRead(Path.Combine(ShippedDirectory, name)), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        input.CopyTo(memory);
        var raw = memory.ToArray();
        var dims = raw[3];
        var itemBytes = 1;
        for (var d = 1; d < dims; d++)
        {
            itemBytes *= (raw[4 + 4 * d] << 24) | (raw[5 + 4 * d] << 16) | (raw[6 + 4 * d] << 8) | raw[7 + 4 * d];
        }
        var header = 4 + 4 * dims;
        var output = new byte[header + count * itemBytes];
        Array.Copy(raw, output, header + count * itemBytes);
        output[4] = (byte)(count >> 24);
        output[5] = (byte)(count >> 16);
        output[6] = (byte)(count >> 8);
        output[7] = (byte)count;
        using var file = new GZipStream(File.Create(Path.Combine(directory, name)), CompressionLevel.Fastest);
        file.Write(output);
    }
}

/// <summary>A temporary folder deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"dha-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
