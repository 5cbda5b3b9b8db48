using System.IO.Compression;
using Dha.Cli;
using SkiaSharp;

namespace Dha.Tests.Cli;

/// <summary>What one in-process <c>dha</c> invocation printed.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string[] OutputLines => Lines(Output);

    public string[] ErrorLines => Lines(Error);

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();
}

/// <summary>Runs <c>dha</c> in-process through <see cref="Program.Run"/>, optionally from another working directory.</summary>
internal static class DhaTool
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = Program.Run(args, output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs with <paramref name="directory"/> as the working directory (only inside the EndToEnd collection, which runs alone).</summary>
    public static CliResult RunIn(string directory, params string[] args)
    {
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = directory;
        try
        {
            return Run(args);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }

    /// <summary>The files and folders under <paramref name="directory"/>, relative, sorted: to show a command left nothing behind.</summary>
    public static string[] Contents(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path))
            .Order(StringComparer.Ordinal)];
}

/// <summary>The raw bytes of the tiny idx dataset, read independently of the library's readers.</summary>
internal static class IdxFiles
{
    public const int Side = 28;

    public static byte[] Labels(string dataDirectory, string file) => Read(dataDirectory, file)[8..];

    /// <summary>Image <paramref name="index"/> of an idx3 file: 28x28 grey bytes, row-major.</summary>
    public static byte[] Image(string dataDirectory, string file, int index) =>
        Read(dataDirectory, file).AsSpan(16 + index * Side * Side, Side * Side).ToArray();

    /// <summary>Writes a 28x28 grey image as an RGB PNG (R = G = B, so the model's luminance gives back the bytes).</summary>
    public static void WritePng(string path, byte[] grey) => File.WriteAllBytes(path, EncodePng(grey));

    /// <summary>A 28x28 grey image encoded as an RGB PNG (R = G = B).</summary>
    public static byte[] EncodePng(byte[] grey)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(Side, Side, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var g = grey[y * Side + x];
                bitmap.SetPixel(x, y, new SKColor(g, g, g));
            }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static byte[] Read(string dataDirectory, string file)
    {
        using var input = new GZipStream(File.OpenRead(Path.Combine(dataDirectory, file)), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        input.CopyTo(memory);
        return memory.ToArray();
    }
}
