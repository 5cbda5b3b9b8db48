using System.Diagnostics;
using System.Globalization;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Bench;

/// <summary>
/// Whether a data-parallel step would use the second core better than libtorch's intra-op threads (the speed issue's
/// "every core busy"): one forward + backward of the DARTS-V2 network at the <c>small</c> preset's size (C=8, 4 cells,
/// 28×28, batch 64) on the whole batch with 1 and 2 intra-op threads, and on its two halves, in turn and on two
/// threads at once (one intra-op thread each, parameters shared, so their gradients add up in <c>.grad</c>). Prints
/// medians of 20 runs; asserts nothing. The BN running statistics race between the two threads here, which a real
/// data-parallel step must avoid (a replica's own buffers).
/// </summary>
internal static class ParallelProbe
{
    public static int Run(TextWriter output)
    {
        using var network = new FixedNetwork(new NetworkShape(1, 28, 8, 4, 10, Auxiliary: true), Genotype.DartsV2);
        network.train();
        var images = randn(64, 1, 28, 28);
        var labels = randint(0, 10, 64);
        void Pass(Tensor x, Tensor y)
        {
            using var scope = NewDisposeScope();
            var (logits, aux) = network.call(x);
            var loss = nn.functional.cross_entropy(logits, y) + 0.4 * nn.functional.cross_entropy(aux!, y);
            loss.backward();
        }
        foreach (var threads in new[] { 1, 2 })
        {
            set_num_threads(threads);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full batch, {threads} intra-op threads: {Time(() => Pass(images, labels)):F1} ms"));
        }
        set_num_threads(1);
        var halves = new[] { (images[..32], labels[..32]), (images[32..], labels[32..]) };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"two halves in turn, 1 thread: {Time(() => { Pass(halves[0].Item1, halves[0].Item2); Pass(halves[1].Item1, halves[1].Item2); }):F1} ms"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"two halves on two threads, 1 intra-op thread each: {Time(() => Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => { set_num_threads(1); Pass(halves[i].Item1, halves[i].Item2); })):F1} ms"));
        return 0;
    }

    private static double Time(Action work)
    {
        var times = new List<double>();
        for (var i = 0; i < 23; i++)
        {
            var watch = Stopwatch.StartNew();
            work();
            if (i >= 3)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
