using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// The one place where uint8 pixels become network input: x = (pixel / 255 − mean[c]) / std[c]. Training, evaluation
/// and prediction all call it, so a model never sees differently scaled inputs at deployment.
/// </summary>
internal static class Normalization
{
    /// <param name="uint8Images">uint8 [B, C, H, W] or [C, H, W].</param>
    /// <param name="mean">Per channel, in [0, 1] pixel units.</param>
    /// <param name="std">Per channel, in [0, 1] pixel units; positive.</param>
    /// <returns>float32 of the same shape (a new tensor).</returns>
    public static Tensor Normalize(Tensor uint8Images, float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(uint8Images);
        Check(uint8Images, mean, std);
        using var scope = NewDisposeScope();
        var shape = new long[] { mean.Length, 1, 1 };
        var meanTensor = tensor(mean).reshape(shape);
        var stdTensor = tensor(std).reshape(shape);
        return uint8Images.to_type(ScalarType.Float32).div_(255f).sub_(meanTensor).div_(stdTensor).MoveToOuterDisposeScope();
    }

    internal static void Check(Tensor uint8Images, float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (uint8Images.dtype != ScalarType.Byte || uint8Images.dim() is not (3 or 4))
        {
            throw new ArgumentException($"expected uint8 [B, C, H, W] or [C, H, W], got {uint8Images.dtype} [{string.Join(", ", uint8Images.shape)}]", nameof(uint8Images));
        }
        CheckStatistics(uint8Images.shape[^3], mean, std);
    }

    internal static void CheckStatistics(long channels, float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length != channels || std.Length != channels)
        {
            throw new ArgumentException($"{channels} channels need {channels} means and stds, got {mean.Length} and {std.Length}");
        }
        if (std.Any(s => !(s > 0f)) || mean.Any(float.IsNaN))
        {
            throw new ArgumentException("std must be positive and mean a number", nameof(std));
        }
    }
}
