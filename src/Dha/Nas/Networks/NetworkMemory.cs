using System.Globalization;

namespace Dha.Nas;

/// <summary>
/// A lower estimate of the memory a network needs, from its layout alone (no module is built): its parameters and,
/// when it trains, the activations a backward pass keeps per image. It is deliberately low (parameters counted four
/// times, for the weights, their gradients, the momentum and the hypergradient's copy; activations counted once, an
/// output per layer of each op run; no gradients of activations, no workspace), so a network it refuses cannot fit,
/// while one it accepts may still be tight. It
/// exists to refuse, before anything is built, a configuration that would exhaust the machine part-way into a
/// constructor or the first step.
/// </summary>
internal static class NetworkMemory
{
    private const long BytesPerFloat = sizeof(float);

    // weights, gradients, momentum, and the hypergradient's copy of the last step
    private const long ParameterCopies = 4;

    /// <summary>Parameters of the search network of <paramref name="shape"/> (all 7 ops on every edge), without the auxiliary head.</summary>
    public static long SearchParameters(NetworkShape shape)
    {
        var layout = new MacroLayout(shape);
        var total = ParameterCounter.Stem(shape, layout);
        foreach (var plan in layout.Cells)
        {
            total += ParameterCounter.Preprocess(plan);
            for (var node = 0; node < CellTopology.Nodes; node++)
            {
                for (var input = 0; input < CellTopology.InputCount(node); input++)
                {
                    var stride = CellTopology.Stride(plan.Reduction, input);
                    total += Primitives.All.Sum(p => ParameterCounter.Op(p, plan.Channels, stride));
                }
            }
        }
        return total + ParameterCounter.Classifier(shape, layout);
    }

    /// <summary>Bytes to train the search network of <paramref name="shape"/> on batches of <paramref name="batchSize"/>.</summary>
    public static long SearchTrainingBytes(NetworkShape shape, int batchSize) =>
        BytesPerFloat * ((ParameterCopies * SearchParameters(shape)) + (batchSize * Activations(shape)));

    /// <summary>Bytes to train the genotype network of <paramref name="shape"/> on batches of <paramref name="batchSize"/>.</summary>
    public static long FixedTrainingBytes(NetworkShape shape, Genotype genotype, int batchSize) =>
        BytesPerFloat * ((ParameterCopies * ParameterCounter.Count(shape, genotype)) + (batchSize * Activations(shape)));

    /// <summary>Bytes to hold the weights of the genotype network of <paramref name="shape"/> (what loading a model takes at least).</summary>
    public static long FixedWeightBytes(NetworkShape shape, Genotype genotype) => BytesPerFloat * ParameterCounter.Count(shape, genotype);

    /// <summary>The memory this process may use: the machine's, or the container's limit when there is one.</summary>
    public static long Available() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Refuses a network whose <paramref name="bytes"/> exceed <see cref="Available"/>.</summary>
    /// <param name="bytes">The estimate.</param>
    /// <param name="what">What needs it, e.g. "network.channels=…, network.layers=…: training the search network at batch 64".</param>
    /// <param name="fix">What to lower.</param>
    /// <exception cref="InvalidInputException">It does not fit.</exception>
    public static void Check(long bytes, string what, string fix)
    {
        var available = Available();
        if (bytes > available)
        {
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                $"{what} needs at least {GiB(bytes)} of memory (estimate), more than the {GiB(available)} this machine has; {fix}"));
        }
    }

    private static string GiB(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB");

    /// <summary>
    /// Floats kept per image for the backward pass: the stem's output, then per cell an output of the size of a node
    /// for each layer of the two ops each node runs (a search cell runs only its support ops too; a separable conv
    /// has 8 such layers, the others fewer: 4 on average).
    /// </summary>
    private static long Activations(NetworkShape shape)
    {
        const long layersPerOp = 4;
        const long opsPerCell = 2 * CellTopology.Nodes;
        var layout = new MacroLayout(shape);
        var total = (long)layout.StemChannels * layout.StemSize * layout.StemSize;
        foreach (var plan in layout.Cells)
        {
            total += opsPerCell * layersPerOp * plan.Channels * (long)plan.OutputSize * plan.OutputSize;
        }
        return total;
    }
}
