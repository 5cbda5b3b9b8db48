using Dha.Data;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class BatchLoaderTests
{
    private static readonly float[] Identity = [0f];
    private static readonly float[] Unit = [1f];

    /// <summary>
    /// Records every Prepare call (seed, thread); its images are the raw pixels in channel 0 and the low 16 bits of
    /// the batch's seed (exact in float32) in an added channel 1, so a test can tell which call built which batch.
    /// </summary>
    private sealed class RecordingTransform : IBatchTransform
    {
        public List<(int Seed, int Thread)> Calls { get; } = [];

        public static long Tag(int seed) => seed & 0xFFFF;

        public Func<Tensor, Tensor> Prepare(int seed)
        {
            Calls.Add((seed, Environment.CurrentManagedThreadId));
            return pixels =>
            {
                var images = pixels.to_type(ScalarType.Float32);
                return cat([images, full_like(images, Tag(seed))], 1);
            };
        }
    }

    private static long[] Labels(Batch batch) => batch.Labels.data<long>().ToArray();

    private static List<long[]> EpochLabels(BatchLoader loader, int epoch, int startBatch = 0)
    {
        var batches = new List<long[]>();
        foreach (var batch in loader.Epoch(epoch, startBatch))
        {
            using (batch)
            {
                batches.Add(Labels(batch));
            }
        }
        return batches;
    }

    [Fact]
    public void An_epoch_yields_every_index_exactly_once_with_a_smaller_last_batch()
    {
        using var data = DatasetSplitsTests.Indexed(10);
        var loader = new BatchLoader(data, batchSize: 3, seed: 7, stream: "train", shuffle: true, Identity, Unit);

        var batches = new List<long[]>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                batches.Add(Labels(batch));
                // Each image is the pixel value of its index, so images travel with their labels.
                Assert.Equal(Labels(batch), batch.Images[.., 0, 1, 1].mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray());
            }
        }

        Assert.Equal(4, loader.BatchesPerEpoch);
        Assert.Equal([3, 3, 3, 1], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), batches.SelectMany(b => b).Order());
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => (long)i), batches.SelectMany(b => b));
    }

    [Fact]
    public void The_same_seed_repeats_an_epoch_and_another_epoch_or_seed_reorders_it()
    {
        using var data = DatasetSplitsTests.Indexed(12);
        var loader = new BatchLoader(data, 5, seed: 3, "train", shuffle: true, Identity, Unit);
        var twin = new BatchLoader(data, 5, seed: 3, "train", shuffle: true, Identity, Unit);
        var otherSeed = new BatchLoader(data, 5, seed: 4, "train", shuffle: true, Identity, Unit);
        var otherStream = new BatchLoader(data, 5, seed: 3, "val", shuffle: true, Identity, Unit);

        var epoch0 = EpochLabels(loader, 0).SelectMany(b => b).ToArray();

        Assert.Equal(epoch0, EpochLabels(twin, 0).SelectMany(b => b));
        Assert.NotEqual(epoch0, EpochLabels(loader, 1).SelectMany(b => b));
        Assert.NotEqual(epoch0, EpochLabels(otherSeed, 0).SelectMany(b => b));
        Assert.NotEqual(epoch0, EpochLabels(otherStream, 0).SelectMany(b => b));
    }

    [Fact]
    public void Without_shuffle_batches_follow_the_dataset_order()
    {
        using var data = DatasetSplitsTests.Indexed(5);
        var loader = new BatchLoader(data, 2, seed: 3, "test", shuffle: false, Identity, Unit);

        Assert.Equal([[0L, 1], [2L, 3], [4L]], EpochLabels(loader, 9));
    }

    [Fact]
    public void Start_batch_skips_the_first_batches_without_preparing_them()
    {
        using var data = DatasetSplitsTests.Indexed(11);
        var transform = new RecordingTransform();
        var plain = new BatchLoader(data, 3, seed: 1, "train", shuffle: true, Identity, Unit);
        var transformed = new BatchLoader(data, 3, seed: 1, "train", shuffle: true, Identity, Unit, transform);

        var all = EpochLabels(plain, 2);
        var resumed = EpochLabels(transformed, 2, startBatch: 2);

        Assert.Equal(all.Skip(2), resumed);
        Assert.Equal([Seeds.For(1, "train/transform", 2, 2), Seeds.For(1, "train/transform", 2, 3)], transform.Calls.Select(c => c.Seed));
        Assert.Empty(EpochLabels(plain, 2, startBatch: 4));
    }

    [Fact]
    public void Prepare_runs_on_the_callers_thread_in_batch_order_one_batch_ahead()
    {
        using var data = DatasetSplitsTests.Indexed(10);
        var transform = new RecordingTransform();
        var loader = new BatchLoader(data, 4, seed: 9, "train", shuffle: true, Identity, Unit, transform);
        var caller = Environment.CurrentManagedThreadId;

        var b = 0;
        foreach (var batch in loader.Epoch(5))
        {
            using (batch)
            {
                // While the caller holds batch b, batch b + 1 is already being prepared (prefetch depth 1).
                Assert.Equal(Math.Min(b + 2, 3), transform.Calls.Count);
                var seed = Seeds.For(9, "train/transform", 5, b);
                Assert.Equal(seed, transform.Calls[b].Seed);
                Assert.All(batch.Images[.., 1, 0, 0].to_type(ScalarType.Int64).data<long>().ToArray(), tag => Assert.Equal(RecordingTransform.Tag(seed), tag));
                // The transform receives the raw uint8 pixels of the batch's images.
                Assert.Equal(Labels(batch), batch.Images[.., 0, 0, 0].to_type(ScalarType.Int64).data<long>().ToArray());
                b++;
            }
        }

        Assert.Equal(3, b);
        Assert.All(transform.Calls, call => Assert.Equal(caller, call.Thread));
    }

    [Fact]
    public void Batches_are_normalised_as_computed_by_hand()
    {
        // Two channels; image 0 pixels 0 (c0) and 255 (c1); image 1 pixels 51 and 102.
        var pixels = new byte[] { 0, 255, 51, 102 };
        using var data = new ImageDataset(tensor(pixels, [2, 2, 1, 1], ScalarType.Byte), tensor(new long[] { 0, 1 }), ["a", "b"]);
        var loader = new BatchLoader(data, 2, seed: 0, "test", shuffle: false, mean: [0.2f, 0.4f], std: [0.5f, 0.2f]);

        using var batch = loader.Epoch(0).Single();

        // (0/255 − 0.2)/0.5 = −0.4; (255/255 − 0.4)/0.2 = 3; (51/255 − 0.2)/0.5 = 0; (102/255 − 0.4)/0.2 = 0.
        var expected = new[] { -0.4f, 3f, 0f, 0f };
        var actual = batch.Images.data<float>().ToArray();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
    }

    [Fact]
    public void Endless_batches_are_full_chain_seeded_permutations_and_resume_at_any_batch()
    {
        using var data = DatasetSplitsTests.Indexed(10);
        var loader = new BatchLoader(data, 4, seed: 2, "val", shuffle: true, Identity, Unit);

        var first = new List<long[]>();
        foreach (var batch in loader.Endless().Take(8))
        {
            using (batch)
            {
                first.Add(Labels(batch));
            }
        }

        Assert.All(first, b => Assert.Equal(4, b.Length));
        var stream = first.SelectMany(b => b).ToArray();
        // 32 indices = rounds 0, 1, 2 and two of round 3; each round is a whole permutation, carried over batch edges.
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), stream.Skip(round * 10).Take(10).Order());
        }
        Assert.NotEqual(stream[..10], stream[10..20]);
        // Round 0 is the permutation of epoch 0 of the same stream.
        Assert.Equal(EpochLabels(loader, 0).SelectMany(b => b), stream[..10]);
        for (var k = 0; k < 8; k++)
        {
            using var resumed = loader.Endless(k).First();
            Assert.Equal(first[k], Labels(resumed));
        }
    }

    [Fact]
    public void Endless_batches_larger_than_the_dataset_chain_several_rounds()
    {
        using var data = DatasetSplitsTests.Indexed(3);
        var transform = new RecordingTransform();
        var loader = new BatchLoader(data, 7, seed: 5, "val", shuffle: true, Identity, Unit, transform);

        using var batch = loader.Endless(startBatch: 1).First();

        var labels = Labels(batch);
        Assert.Equal(7, labels.Length);
        // Batch 1 covers stream positions 7..13: the last two of round 2, all of round 3, the first two of round 4.
        Assert.Equal([0L, 1, 2], labels[2..5].Order());
        Assert.Equal(Seeds.For(5, "val/transform", 1), transform.Calls[0].Seed);
    }

    [Fact]
    public void Stopping_an_enumeration_early_waits_for_the_batch_in_flight()
    {
        using var data = DatasetSplitsTests.Indexed(20);
        var loader = new BatchLoader(data, 2, seed: 0, "train", shuffle: true, Identity, Unit);

        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            break;
        }
        using var next = loader.Epoch(0, startBatch: 9).Single();

        Assert.Equal(2, next.Size);
    }
}
