using SkiaSharp;
using static TorchSharp.torch;

namespace Dha.Report;

/// <summary>Encodes one uint8 image [C, H, W] (C = 1 or 3) as PNG with SkiaSharp, for inlining as a data URI.</summary>
internal static class PngImage
{
    public static byte[] Encode(Tensor image)
    {
        int channels = (int)image.shape[0], height = (int)image.shape[1], width = (int)image.shape[2];
        var pixels = image.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                rgba[4 * i + c] = pixels[i * channels + (channels == 1 ? 0 : c)];
            }
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
