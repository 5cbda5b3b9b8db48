using static TorchSharp.torch;

namespace Dha.Tests.Augment;

/// <summary>Small helpers to write uint8 test images by hand and read results back.</summary>
internal static class Images
{
    public static Tensor U8(int[] values, params long[] shape)
    {
        Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.Length);
        return tensor(values.Select(v => checked((byte)v)).ToArray(), shape);
    }

    public static int[] Values(Tensor images) => images.data<byte>().ToArray().Select(v => (int)v).ToArray();

    public static Tensor Args(params double[] values) => tensor(values, ScalarType.Float64);

    public static Tensor Random(int seed, params long[] shape)
    {
        var rng = new System.Random(seed);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return tensor(bytes, shape);
    }
}
