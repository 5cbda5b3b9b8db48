using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

/// <summary>Tiny networks and architectures shared by the NAS tests (C ≤ 8, ≤ 3 cells, small images).</summary>
internal static class NasFixtures
{
    /// <summary>
    /// One intra-op thread: the test machine's 2 cores are shared, and libtorch's spinning worker threads make
    /// tiny tensors 10–20× slower under load. Called at the start of every NAS test (the setting is per thread).
    /// </summary>
    public static void SingleThread() => set_num_threads(1);

    public static NetworkShape Tiny(int inputChannels = 3, int imageSize = 8, int channels = 4, int layers = 3, int classes = 5, bool auxiliary = true) =>
        new(inputChannels, imageSize, channels, layers, classes, auxiliary);

    /// <summary>A genotype that uses every primitive in both cells, on varied inputs.</summary>
    public static Genotype Mixed { get; } = Genotype.Parse(
        "normal=[sep_conv_3x3@0 skip_connect@1 | dil_conv_5x5@2 max_pool_3x3@0 | avg_pool_3x3@1 sep_conv_5x5@3 | dil_conv_3x3@4 skip_connect@0] "
        + "reduce=[skip_connect@0 avg_pool_3x3@1 | sep_conv_5x5@0 dil_conv_3x3@2 | max_pool_3x3@1 dil_conv_5x5@3 | sep_conv_3x3@0 skip_connect@4]");

    /// <summary>Scalars for a genotype's 8 entries per cell type, including negative ones.</summary>
    public static double[] Scalars(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 8).Select(i => (random.NextDouble() * 1.6) - 0.8 + (i % 2 == 0 ? 0.3 : -0.2)).ToArray();
    }

    public static Architecture ArchitectureOf(Genotype genotype, int seed = 1, ScalarType dtype = ScalarType.Float32) =>
        Architecture.FromGenotype(genotype, Scalars(seed), Scalars(seed + 1), dtype);
}
