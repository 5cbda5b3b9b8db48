using System.Diagnostics;
using Dha.Augment;
using static TorchSharp.torch;

namespace Dha.Bench;

/// <summary>
/// Throughput of the training-batch augmentation (flip → op pair → normalise → Cutout), in images per second, for
/// batches of 64 at Fashion-MNIST (1×28×28) and CIFAR (3×32×32) size, with the policy on at the search magnitude (1)
/// and the phase-B magnitude (10). Each case runs with torch's current intra-op thread count and with one thread:
/// the ops work on small groups of images, where thread hand-offs can cost more than they save (badly so on a
/// loaded machine). Prints figures; asserts nothing.
/// </summary>
internal static class AugmentBenchmark
{
    private const int Batch = 64;
    private const int Warmup = 3;
    private const int Repetitions = 25;

    public static void Run(TextWriter output)
    {
        var threads = get_num_threads();
        output.WriteLine($"Augmentation throughput (batch {Batch}, median of {Repetitions} batches, policy on, flip on)");
        output.WriteLine($"{"shape",-10} {"magnitude",9} {"cutout",6} {"threads",7} {"ms/batch",9} {"images/s",10}");
        try
        {
            foreach (var (channels, side, cutout) in new[] { (1, 28, 0), (3, 32, 16) })
            {
                foreach (var magnitude in new[] { 1.0, 10.0 })
                {
                    foreach (var threadCount in threads == 1 ? new[] { 1 } : new[] { threads, 1 })
                    {
                        set_num_threads(threadCount);
                        var median = MedianMilliseconds(channels, side, cutout, magnitude);
                        output.WriteLine(
                            $"{$"{channels}x{side}x{side}",-10} {magnitude,9:0} {cutout,6} {threadCount,7} {median,9:0.00} {Batch / (median / 1000.0),10:0}");
                    }
                }
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    private static double MedianMilliseconds(int channels, int side, int cutout, double magnitude)
    {
        var mean = Enumerable.Repeat(0.5f, channels).ToArray();
        var std = Enumerable.Repeat(0.25f, channels).ToArray();
        var augmenter = new BatchAugmenter(new AugmentSettings(mean, std, cutout, true, true)) { Magnitude = magnitude };
        using var policy = new OpPairPolicy(0.02);
        var rng = new Random(1);
        var bytes = new byte[Batch * channels * side * side];
        rng.NextBytes(bytes);
        using var images = tensor(bytes, [Batch, channels, side, side]);

        var times = new List<double>();
        for (var i = 0; i < Warmup + Repetitions; i++)
        {
            augmenter.SamplingMatrix = policy.SampleMatrix(rng);
            var work = augmenter.Prepare(i);
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            work(images);
            watch.Stop();
            if (i >= Warmup)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
