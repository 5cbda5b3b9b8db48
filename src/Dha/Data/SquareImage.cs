using SkiaSharp;

namespace Dha.Data;

/// <summary>
/// The one rule by which an image becomes a model's input pixels, for training data, <c>dha predict</c> and the
/// Dha.Onnx runtime alike: decoded by SkiaSharp, the shorter side scaled to the model's size and the centre cropped
/// (bilinear, with mipmaps), then RGB, or PIL's luminance for one-channel models. Dha.Onnx compiles this very file
/// (it has no TorchSharp to share code through), so an app without libtorch sees the pixels training saw. Failures
/// come back as the reason, so each assembly throws its own exception naming the file.
/// </summary>
internal static class SquareImage
{
    /// <summary>
    /// The most pixels one image may have (64 megapixels). A header is only a claim: a 100-byte file can announce
    /// 100000×100000 pixels, and decoding it would try to allocate 40 GB.
    /// </summary>
    internal const long MaxPixels = 64L << 20;

    /// <summary>
    /// The most bytes an encoded image read from a stream may have (64 MiB): a stream is read to its end, so one that
    /// never ends is cut off there.
    /// </summary>
    internal const int MaxEncodedBytes = 64 << 20;

    /// <summary>The encoded bytes of a stream, or null with the reason when it holds more than <see cref="MaxEncodedBytes"/>.</summary>
    public static byte[]? ReadEncoded(Stream image, out string? refusal)
    {
        var bytes = StreamBytes.ReadAtMost(image, MaxEncodedBytes);
        refusal = bytes is null ? $"more than {MaxEncodedBytes >> 20} MiB, too large for one encoded image" : null;
        return bytes;
    }

    /// <summary>Why a decoder cannot be used (null: SkiaSharp did not recognise the bytes), or null when it can.</summary>
    public static string? Refusal(SKCodec? codec)
    {
        if (codec is null)
        {
            return "not a decodable image (not PNG, JPEG or BMP, or damaged)";
        }
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
        {
            return "image has no pixels";
        }
        return (long)width * height > MaxPixels
            ? $"the header claims {width}x{height} pixels, more than the {MaxPixels >> 20} megapixels an image may have (damaged, or not a real image)"
            : null;
    }

    /// <summary>
    /// Decodes the image, scales its shorter side to <paramref name="size"/>, crops the centre and writes RGBA
    /// [size, size, 4] into <paramref name="rgba"/>; returns why the pixels do not decode, or null.
    /// </summary>
    public static string? DecodeRgba(SKCodec codec, int size, byte[] rgba)
    {
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            return $"the image does not decode ({result})";
        }
        using var image = SKImage.FromBitmap(decoded);
        using var square = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(square))
        {
            canvas.Clear(SKColors.Black);
            var side = Math.Min(info.Width, info.Height);
            var source = SKRect.Create((info.Width - side) / 2f, (info.Height - side) / 2f, side, side);
            canvas.DrawImage(image, source, SKRect.Create(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        square.GetPixelSpan().CopyTo(rgba);
        return null;
    }

    /// <summary>RGBA [S, S, 4] as channel-major bytes [channels, S, S]: R, G, B planes, or one plane of luminance.</summary>
    public static byte[] Planes(byte[] rgba, int channels)
    {
        var pixels = rgba.Length / 4;
        var planes = new byte[channels * pixels];
        for (var p = 0; p < pixels; p++)
        {
            var (r, g, b) = (rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]);
            if (channels == 1)
            {
                planes[p] = Luminance(r, g, b);
            }
            else
            {
                (planes[p], planes[pixels + p], planes[2 * pixels + p]) = (r, g, b);
            }
        }
        return planes;
    }

    /// <summary>
    /// PIL's "L" conversion, L = (R·299 + G·587 + B·114) / 1000: the sum is an exact integer, divided in float32 and
    /// rounded half to even, as torchvision's grey models were fed.
    /// </summary>
    public static byte Luminance(byte r, byte g, byte b) =>
        (byte)Math.Clamp(MathF.Round((r * 299 + g * 587 + b * 114) / 1000f), 0f, 255f);
}
