using Dha.Data;
using SkiaSharp;

namespace Dha.Onnx;

/// <summary>
/// An image file or stream as the exported graph's input: float32 [C, S, S] holding pixel / 255, brought to the
/// model's size and channels by <see cref="SquareImage"/> (the rule of training) and scaled as the library's
/// normalisation does before it subtracts the mean (which the graph does itself).
/// </summary>
internal static class ImagePixels
{
    public static float[] FromFile(string path, int size, int channels)
    {
        if (!File.Exists(path))
        {
            throw new OnnxInputException($"{path}: image file not found");
        }
        return Decode(SKCodec.Create(path), path, size, channels);
    }

    public static float[] FromStream(Stream image, string name, int size, int channels)
    {
        var bytes = SquareImage.ReadEncoded(image, out var refusal) ?? throw new OnnxInputException($"{name}: {refusal}");
        using var data = SKData.CreateCopy(bytes);
        return Decode(SKCodec.Create(data), name, size, channels);
    }

    private static float[] Decode(SKCodec? opened, string name, int size, int channels)
    {
        using var codec = opened;
        if (SquareImage.Refusal(codec) is { } refusal)
        {
            throw new OnnxInputException($"{name}: {refusal}");
        }
        var rgba = new byte[size * size * 4];
        if (SquareImage.DecodeRgba(codec!, size, rgba) is { } failure)
        {
            throw new OnnxInputException($"{name}: {failure}");
        }
        return [.. SquareImage.Planes(rgba, channels).Select(pixel => pixel / 255f)];
    }
}
