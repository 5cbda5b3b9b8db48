using Dha.Data;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class NormalizationTests
{
    [Fact]
    public void Normalize_matches_hand_computed_values_per_channel()
    {
        // Channel 0: mean 0.5, std 0.25 -> 0 → -2, 51 (0.2) → -1.2, 255 → 2.
        // Channel 1: mean 0.2, std 0.5 → 0 → -0.4, 51 → 0, 255 → 1.6.
        using var images = tensor(new byte[] { 0, 51, 255, 0, 51, 255 }, [1, 2, 1, 3], ScalarType.Byte);

        using var normalised = Normalization.Normalize(images, [0.5f, 0.2f], [0.25f, 0.5f]);

        Assert.Equal(ScalarType.Float32, normalised.dtype);
        Assert.Equal([1, 2, 1, 3], normalised.shape);
        var expected = new[] { -2f, -1.2f, 2f, -0.4f, 0f, 1.6f };
        var actual = normalised.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public void Normalize_accepts_a_single_image_and_refuses_a_channel_mismatch()
    {
        using var image = full([3, 2, 2], 255, ScalarType.Byte);

        using var normalised = Normalization.Normalize(image, [0f, 0f, 0.5f], [1f, 1f, 0.5f]);

        Assert.Equal(new[] { 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f }, normalised.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => Normalization.Normalize(image, [0f], [1f]));
    }
}
