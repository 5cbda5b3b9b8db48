using Dha.Augment;
using TorchSharp;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class BatchAugmenterTests
{
    private const int Pairs = 196;

    // χ²(195) upper 0.1 % point: 261.8 (Wilson–Hilferty: 195·(1 − 2/1755 + 3.0902·√(2/1755))³ = 261.8; tables give 262.0).
    private const double ChiSquare195At0_1Percent = 261.8;

    private static AugmentSettings Grey(int cutout = 0, bool flip = false, bool policy = true, LevelMap map = LevelMap.Centred) =>
        new([0.5f], [0.25f], cutout, flip, policy, map);

    [Fact]
    public void Drawn_pairs_follow_the_sampling_matrix_by_a_chi_square_test()
    {
        using var scope = NewDisposeScope();
        // A non-uniform matrix: weights 1..4 by a pattern, and two pairs that must never be drawn.
        var matrix = Enumerable.Range(0, Pairs).Select(k => 1.0 + (k * 7 % 4)).ToArray();
        matrix[17] = 0;
        matrix[150] = 0;
        var augmenter = new BatchAugmenter(Grey()) { SamplingMatrix = matrix, Magnitude = 10 };
        const int draws = 12000;
        var counts = new long[Pairs];
        var pairs = augmenter.Prepare(123)(zeros(draws, 1, 2, 2, ScalarType.Byte)).OpPairs!.data<long>().ToArray();
        for (var b = 0; b < draws; b++)
        {
            counts[pairs[2 * b] * 14 + pairs[2 * b + 1]]++;
        }
        Assert.Equal(0, counts[17]);
        Assert.Equal(0, counts[150]);

        var matching = ChiSquare(counts, matrix);
        Assert.True(matching < ChiSquare195At0_1Percent, $"χ² = {matching} against the sampling matrix");

        // The same draws tested against a deliberately wrong matrix (two weight classes swapped) must fail.
        var wrong = matrix.Select(w => w == 1 ? 4.0 : w == 4 ? 1.0 : w).ToArray();
        var mismatched = ChiSquare(counts, wrong);
        Assert.True(mismatched > ChiSquare195At0_1Percent, $"χ² = {mismatched} against a wrong matrix");
    }

    private static double ChiSquare(long[] counts, double[] weights)
    {
        var total = counts.Sum();
        var weightSum = weights.Sum();
        var chi = 0.0;
        for (var k = 0; k < counts.Length; k++)
        {
            if (weights[k] == 0)
            {
                continue;   // zero-weight cells are checked separately (they must be empty)
            }
            var expected = total * weights[k] / weightSum;
            chi += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        return chi;
    }

    [Fact]
    public void Without_a_sampling_matrix_every_pair_can_be_drawn()
    {
        using var scope = NewDisposeScope();
        var augmenter = new BatchAugmenter(Grey());
        var pairs = augmenter.Prepare(5)(zeros(4000, 1, 2, 2, ScalarType.Byte)).OpPairs!.data<long>().ToArray();
        var seen = Enumerable.Range(0, 4000).Select(b => pairs[2 * b] * 14 + pairs[2 * b + 1]).Distinct().Count();
        Assert.Equal(Pairs, seen);
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_another_seed_a_different_one()
    {
        using var scope = NewDisposeScope();
        var settings = new AugmentSettings([0.49f, 0.48f, 0.45f], [0.25f, 0.24f, 0.26f], 4, true, true);
        var augmenter = new BatchAugmenter(settings) { Magnitude = 10 };
        var images = Random(1, 16, 3, 8, 8);
        var a = augmenter.Prepare(42)(images);
        var b = augmenter.Prepare(42)(images);
        var c = augmenter.Prepare(43)(images);
        Assert.Equal(a.Images.data<float>().ToArray(), b.Images.data<float>().ToArray());
        Assert.Equal(a.OpPairs!.data<long>().ToArray(), b.OpPairs!.data<long>().ToArray());
        Assert.NotEqual(a.Images.data<float>().ToArray(), c.Images.data<float>().ToArray());
        Assert.NotEqual(a.OpPairs!.data<long>().ToArray(), c.OpPairs!.data<long>().ToArray());
    }

    [Fact]
    public void Prepare_captures_the_matrix_and_magnitude_at_call_time()
    {
        using var scope = NewDisposeScope();
        var onlyBrightness = new double[Pairs];
        onlyBrightness[(int)AugmentOp.Brightness * 14 + (int)AugmentOp.Identity] = 1;
        var onlySolarize = new double[Pairs];
        onlySolarize[(int)AugmentOp.Solarize * 14 + (int)AugmentOp.Identity] = 1;
        var augmenter = new BatchAugmenter(Grey()) { SamplingMatrix = onlyBrightness, Magnitude = 0 };
        var work = augmenter.Prepare(1);
        augmenter.SamplingMatrix = onlySolarize;
        augmenter.Magnitude = 1e6;
        var images = U8([0, 64, 128, 255], 1, 1, 2, 2);
        var result = work(images);
        Assert.Equal([(long)AugmentOp.Brightness, (long)AugmentOp.Identity], result.OpPairs!.data<long>().ToArray());
        // Magnitude 0 → level 0 → Brightness factor 1: only normalisation, (v/255 − 0.5)/0.25.
        AssertNormalised([0, 64, 128, 255], result.Images);
    }

    [Theory]
    // Centred at level 8: Solarize inverts everything (threshold 0), Posterize keeps 4 bits.
    [InlineData(nameof(AugmentOp.Solarize), nameof(AugmentOp.Posterize), new[] { 1, 100, 200, 255 }, new[] { 240, 144, 48, 0 })]
    [InlineData(nameof(AugmentOp.Posterize), nameof(AugmentOp.Solarize), new[] { 1, 100, 200, 255 }, new[] { 255, 159, 63, 15 })]
    public void The_first_op_of_a_pair_is_the_row_and_runs_before_the_second(
        string first, string second, int[] pixels, int[] expected)
    {
        using var scope = NewDisposeScope();
        var matrix = new double[Pairs];
        // the ops by name: a public test method cannot take the internal AugmentOp
        var (row, column) = (Enum.Parse<AugmentOp>(first), Enum.Parse<AugmentOp>(second));
        matrix[(int)row * 14 + (int)column] = 1;
        // A huge magnitude clips every level to 8.
        var augmenter = new BatchAugmenter(Grey()) { SamplingMatrix = matrix, Magnitude = 1e9 };
        var result = augmenter.Prepare(3)(U8([.. pixels, .. pixels], 2, 1, 2, 2));
        Assert.Equal([(long)row, (long)column, (long)row, (long)column], result.OpPairs!.data<long>().ToArray());
        AssertNormalised([.. expected, .. expected], result.Images);
    }

    [Fact]
    public void The_reference_level_map_is_used_when_asked()
    {
        using var scope = NewDisposeScope();
        var matrix = new double[Pairs];
        matrix[(int)AugmentOp.Posterize * 14 + (int)AugmentOp.Identity] = 1;
        // Magnitude 0 → level 0: identity under the centred map, 1 bit under the reference map.
        var centred = new BatchAugmenter(Grey()) { SamplingMatrix = matrix, Magnitude = 0 };
        var reference = new BatchAugmenter(Grey(map: LevelMap.Reference)) { SamplingMatrix = matrix, Magnitude = 0 };
        var images = U8([1, 100, 130, 255], 1, 1, 2, 2);
        AssertNormalised([1, 100, 130, 255], centred.Prepare(0)(images).Images);
        AssertNormalised([0, 0, 128, 128], reference.Prepare(0)(images).Images);
    }

    [Fact]
    public void A_clean_pipeline_only_normalises_and_returns_no_op_pairs()
    {
        using var scope = NewDisposeScope();
        var augmenter = new BatchAugmenter(AugmentSettings.Clean([0.2f, 0.4f, 0.6f], [0.5f, 0.25f, 0.2f]));
        var images = U8([0, 51, 255, 102, 0, 153], 1, 3, 1, 2);
        var result = augmenter.Prepare(9)(images);
        Assert.Null(result.OpPairs);
        Assert.Equal(ScalarType.Float32, result.Images.dtype);
        // (v/255 − mean)/std by hand: channel 0 (0 − 0.2)/0.5, (0.2 − 0.2)/0.5; channel 1 (1 − 0.4)/0.25, (0.4 − 0.4)/0.25; ...
        float[] expected = [-0.4f, 0f, 2.4f, 0f, -3f, 0f];
        var actual = result.Images.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public void Horizontal_flip_mirrors_about_half_of_the_images()
    {
        using var scope = NewDisposeScope();
        var augmenter = new BatchAugmenter(Grey(flip: true, policy: false));
        var row = Enumerable.Range(1, 6).ToArray();
        const int batch = 200;
        var images = U8(Enumerable.Repeat(row, batch).SelectMany(r => r).ToArray(), batch, 1, 1, 6);
        var values = augmenter.Prepare(8)(images).Images.data<float>().ToArray();
        var plain = Normalised(row);
        var mirrored = Normalised([.. row.Reverse()]);
        var flipped = 0;
        for (var b = 0; b < batch; b++)
        {
            var image = values.Skip(6 * b).Take(6).ToArray();
            if (Close(image, mirrored))
            {
                flipped++;
            }
            else
            {
                Assert.True(Close(image, plain), $"image {b} is neither the original nor its mirror");
            }
        }
        Assert.InRange(flipped, 70, 130);
    }

    [Fact]
    public void Cutout_zeroes_exactly_a_square_of_the_given_size_clipped_at_the_borders()
    {
        using var scope = NewDisposeScope();
        const int size = 4, side = 12, batch = 64;
        var augmenter = new BatchAugmenter(Grey(cutout: size, policy: false));
        // 200 normalises to a non-zero value, so zeros can only come from Cutout.
        var images = full(batch, 1, side, side, 200, ScalarType.Byte);
        var values = augmenter.Prepare(2)(images).Images.data<float>().ToArray();
        var full4x4 = 0;
        for (var b = 0; b < batch; b++)
        {
            var zeroCells = Enumerable.Range(0, side * side).Where(i => values[b * side * side + i] == 0f).ToArray();
            Assert.NotEmpty(zeroCells);
            int r0 = zeroCells.Min(i => i / side), r1 = zeroCells.Max(i => i / side);
            int c0 = zeroCells.Min(i => i % side), c1 = zeroCells.Max(i => i % side);
            int height = r1 - r0 + 1, width = c1 - c0 + 1;
            // The zeros fill their bounding box: a rectangle.
            Assert.Equal(height * width, zeroCells.Length);
            // The square is L×L unless clipped, and a clipped side touches the border.
            Assert.True(height == size || r0 == 0 || r1 == side - 1, $"image {b}: height {height}");
            Assert.True(width == size || c0 == 0 || c1 == side - 1, $"image {b}: width {width}");
            Assert.InRange(height, 1, size);
            Assert.InRange(width, 1, size);
            if (height == size && width == size)
            {
                full4x4++;
            }
        }
        Assert.True(full4x4 > batch / 3, $"only {full4x4} unclipped squares");
    }

    [Fact]
    public void No_cutout_when_the_size_is_0()
    {
        using var scope = NewDisposeScope();
        var augmenter = new BatchAugmenter(Grey(cutout: 0, flip: true, policy: false));
        var values = augmenter.Prepare(2)(full(32, 1, 8, 8, 200, ScalarType.Byte)).Images.data<float>().ToArray();
        Assert.DoesNotContain(0f, values);
    }

    [Fact]
    public void The_policy_pipeline_runs_on_one_and_three_channel_batches_at_high_magnitude()
    {
        using var scope = NewDisposeScope();
        foreach (var channels in new[] { 1, 3 })
        {
            var mean = Enumerable.Repeat(0.5f, channels).ToArray();
            var std = Enumerable.Repeat(0.25f, channels).ToArray();
            var augmenter = new BatchAugmenter(new AugmentSettings(mean, std, 3, true, true)) { Magnitude = 10 };
            var result = augmenter.Prepare(4)(Random(channels, 300, channels, 6, 6));
            Assert.Equal(new long[] { 300, channels, 6, 6 }, result.Images.shape);
            Assert.Equal(new long[] { 300, 2 }, result.OpPairs!.shape);
            Assert.False(result.Images.isnan().any().item<bool>());
            // Normalised uint8 values lie in [(0 − 0.5)/0.25, (1 − 0.5)/0.25].
            Assert.InRange(result.Images.min().item<float>(), -2.0001f, 2.0001f);
            Assert.InRange(result.Images.max().item<float>(), -2.0001f, 2.0001f);
        }
    }

    [Fact]
    public async Task A_prepared_batch_gives_the_same_result_on_another_thread()
    {
        var augmenter = new BatchAugmenter(new AugmentSettings([0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f], 3, true, true)) { Magnitude = 10 };
        using var images = Random(6, 24, 3, 7, 7);
        var work = augmenter.Prepare(77);

        // a dispose scope belongs to one thread, so each run reads its batch out inside its own
        (float[] Images, long[] Pairs) Run()
        {
            using var scope = NewDisposeScope();
            var batch = work(images);
            return (batch.Images.data<float>().ToArray(), batch.OpPairs!.data<long>().ToArray());
        }

        var here = Run();
        var there = await Task.Run(Run);
        Assert.Equal(here.Images, there.Images);
        Assert.Equal(here.Pairs, there.Pairs);
    }

    [Fact]
    public void Transforming_a_batch_leaves_no_live_tensors_but_its_outputs()
    {
        var augmenter = new BatchAugmenter(new AugmentSettings([0.5f], [0.25f], 3, true, true)) { Magnitude = 10 };
        using var images = Random(8, 32, 1, 6, 6);
        var work = augmenter.Prepare(1);
        work(images).Images.Dispose();   // warm-up: first calls may create cached tensors
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
        {
            var batch = work(images);
            Assert.Equal(2, scope.DisposablesCount);   // the images and the op pairs
        }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Bad_settings_and_bad_batches_are_rejected()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(new AugmentSettings([0.5f, 0.5f], [0.2f, 0.2f], 0, false, false)));
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(new AugmentSettings([0.5f], [0f], 0, false, false)));
        Assert.Throws<ArgumentException>(() => new BatchAugmenter(Grey(cutout: -1)));
        var augmenter = new BatchAugmenter(Grey());
        Assert.Throws<ArgumentException>(() => augmenter.SamplingMatrix = new double[10]);
        Assert.Throws<ArgumentException>(() => augmenter.SamplingMatrix = new double[Pairs]);
        Assert.Throws<ArgumentOutOfRangeException>(() => augmenter.Magnitude = -1);
        Assert.Throws<ArgumentException>(() => augmenter.Prepare(0)(zeros(2, 3, 4, 4, ScalarType.Byte)));
    }

    private static float[] Normalised(int[] pixels) => pixels.Select(v => (v / 255f - 0.5f) / 0.25f).ToArray();

    private static bool Close(float[] a, float[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-5);

    private static void AssertNormalised(int[] pixels, Tensor images)
    {
        var expected = Normalised(pixels);
        var actual = images.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"pixel {i}: expected {expected[i]} (from {pixels[i]}), got {actual[i]}");
        }
    }
}
