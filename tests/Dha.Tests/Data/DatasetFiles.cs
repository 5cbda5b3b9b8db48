using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using SkiaSharp;

namespace Dha.Tests.Data;

/// <summary>
/// Writes small datasets in the exact byte layouts of the real files (idx headers and magic numbers, CIFAR records,
/// PNG/JPEG/BMP images) into a temporary folder that is deleted on dispose.
/// </summary>
internal sealed class DatasetFiles : IDisposable
{
    public DatasetFiles(string name = "dataset")
    {
        Root = Path.Combine(Path.GetTempPath(), $"dha-tests-{Guid.NewGuid():N}", name);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);

    // ---- idx ----

    /// <summary>idx3: magic 2051, count, rows, columns (big-endian int32), then the pixels.</summary>
    public static byte[] IdxImages(byte[] pixels, int count, int rows, int columns, int magic = 2051)
    {
        var bytes = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        pixels.CopyTo(bytes, 16);
        return bytes;
    }

    /// <summary>idx1: magic 2049, count (big-endian int32), then one byte per label.</summary>
    public static byte[] IdxLabels(byte[] labels, int magic = 2049)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public void Write(string name, byte[] bytes, bool gzip = false)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
    }

    /// <summary>A complete idx dataset: pixel p of image i is (i * 7 + p) mod 256; labels given.</summary>
    public static byte[] Pixels(int count, int rows, int columns, int start = 0)
    {
        var pixels = new byte[count * rows * columns];
        for (var i = 0; i < count; i++)
        {
            for (var p = 0; p < rows * columns; p++)
            {
                pixels[i * rows * columns + p] = (byte)(((start + i) * 7 + p) % 256);
            }
        }
        return pixels;
    }

    public void WriteIdxDataset(byte[] trainLabels, byte[] testLabels, int rows = 3, int columns = 2, bool gzip = true)
    {
        var gz = gzip ? ".gz" : "";
        Write($"train-images-idx3-ubyte{gz}", IdxImages(Pixels(trainLabels.Length, rows, columns), trainLabels.Length, rows, columns), gzip);
        Write($"train-labels-idx1-ubyte{gz}", IdxLabels(trainLabels), gzip);
        Write($"t10k-images-idx3-ubyte{gz}", IdxImages(Pixels(testLabels.Length, rows, columns, start: 100), testLabels.Length, rows, columns), gzip);
        Write($"t10k-labels-idx1-ubyte{gz}", IdxLabels(testLabels), gzip);
    }

    // ---- CIFAR ----

    /// <summary>
    /// CIFAR records: the label byte(s) then 3072 pixels, channel-planar (1024 R, 1024 G, 1024 B). Pixel (c, y, x)
    /// of record r is (seed + r * 11 + c * 50 + y * 3 + x) mod 256, so every position is identifiable.
    /// </summary>
    public static byte[] CifarRecords(byte[][] labelBytes, int seed)
    {
        var recordSize = labelBytes[0].Length + 3072;
        var bytes = new byte[labelBytes.Length * recordSize];
        for (var r = 0; r < labelBytes.Length; r++)
        {
            var offset = r * recordSize;
            labelBytes[r].CopyTo(bytes, offset);
            offset += labelBytes[r].Length;
            for (var c = 0; c < 3; c++)
            {
                for (var y = 0; y < 32; y++)
                {
                    for (var x = 0; x < 32; x++)
                    {
                        bytes[offset + c * 1024 + y * 32 + x] = CifarPixel(seed, r, c, y, x);
                    }
                }
            }
        }
        return bytes;
    }

    public static byte CifarPixel(int seed, int record, int channel, int y, int x) =>
        (byte)((seed + record * 11 + channel * 50 + y * 3 + x) % 256);

    public static readonly string[] Cifar10Names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The files of cifar-10-batches-bin: 5 training batches, the test batch, batches.meta.txt (name → bytes).</summary>
    public static Dictionary<string, byte[]> Cifar10Files(byte[][] trainLabelsPerBatch, byte[] testLabels)
    {
        var files = new Dictionary<string, byte[]>();
        for (var b = 0; b < 5; b++)
        {
            files[$"data_batch_{b + 1}.bin"] = CifarRecords(trainLabelsPerBatch[b].Select(l => new[] { l }).ToArray(), seed: b * 1000);
        }
        files["test_batch.bin"] = CifarRecords(testLabels.Select(l => new[] { l }).ToArray(), seed: 5000);
        files["batches.meta.txt"] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Cifar10Names) + "\n\n");
        return files;
    }

    /// <summary>The files of cifar-100-binary: train.bin and test.bin with (coarse, fine) labels, fine_label_names.txt.</summary>
    public static Dictionary<string, byte[]> Cifar100Files((byte Coarse, byte Fine)[] train, (byte Coarse, byte Fine)[] test)
    {
        return new Dictionary<string, byte[]>
        {
            ["train.bin"] = CifarRecords(train.Select(l => new[] { l.Coarse, l.Fine }).ToArray(), seed: 0),
            ["test.bin"] = CifarRecords(test.Select(l => new[] { l.Coarse, l.Fine }).ToArray(), seed: 7),
            ["fine_label_names.txt"] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Enumerable.Range(0, 100).Select(i => $"fine{i}")) + "\n"),
            ["coarse_label_names.txt"] = System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Enumerable.Range(0, 20).Select(i => $"coarse{i}")) + "\n"),
        };
    }

    public void WriteFolder(string folder, Dictionary<string, byte[]> files)
    {
        foreach (var (name, bytes) in files)
        {
            Write(Path.Combine(folder, name), bytes);
        }
    }

    /// <summary>A .tar.gz holding <paramref name="files"/> under <paramref name="folder"/>/, as the CIFAR downloads do.</summary>
    public string WriteTarGz(string archiveName, string folder, Dictionary<string, byte[]> files)
    {
        var path = PathOf(archiveName);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, folder + "/"));
        foreach (var (name, bytes) in files)
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{folder}/{name}") { DataStream = new MemoryStream(bytes) });
        }
        return path;
    }

    // ---- images ----

    /// <summary>Encodes an RGB image given as [y, x] → (r, g, b) with SkiaSharp.</summary>
    public void WriteImage(string relativePath, int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel, SKEncodedImageFormat format = SKEncodedImageFormat.Png, SKColorType colorType = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(y, x);
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        }
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(format, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>A 24-bit uncompressed BMP written byte by byte (bottom-up rows of B, G, R padded to 4 bytes).</summary>
    public void WriteBmp(string relativePath, int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        var rowSize = (width * 3 + 3) / 4 * 4;
        var bytes = new byte[54 + rowSize * height];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), rowSize * height);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + (height - 1 - y) * rowSize;
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(y, x);
                bytes[row + x * 3] = b;
                bytes[row + x * 3 + 1] = g;
                bytes[row + x * 3 + 2] = r;
            }
        }
        Write(relativePath, bytes);
    }
}
