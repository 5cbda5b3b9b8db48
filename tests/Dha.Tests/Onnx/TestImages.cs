using SkiaSharp;

namespace Dha.Tests.Onnx;

/// <summary>Image files of the kinds an app is handed: colour, not square, PNG and JPEG.</summary>
internal static class TestImages
{
    /// <summary>
    /// A colour picture of <paramref name="width"/>×<paramref name="height"/>: smooth colour gradients with a bright
    /// disc whose place and colour depend on <paramref name="seed"/> (so a network tells the pictures apart).
    /// </summary>
    public static string WriteColour(string folder, int seed, int width, int height, SKEncodedImageFormat format)
    {
        var random = new Random(seed);
        var (cx, cy, radius) = (random.Next(width), random.Next(height), 3 + random.Next(Math.Min(width, height) / 2));
        var disc = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < radius * radius;
                bitmap.SetPixel(x, y, inside ? disc : new SKColor((byte)(255 * x / width), (byte)(255 * y / height), (byte)(seed * 37 % 256)));
            }
        }
        var extension = format == SKEncodedImageFormat.Png ? "png" : "jpg";
        var path = Path.Combine(folder, $"colour-{seed}.{extension}");
        using var data = bitmap.Encode(format, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }
}
