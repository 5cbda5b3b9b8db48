using System.Globalization;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Bench;

/// <summary>
/// Prints the time of each search-space operation (forward, and forward + backward) and of the whole search network
/// at the <c>small</c> preset's size: batch 64, 8 channels, 28×28. Tells which ops dominate a step.
/// </summary>
internal static class OpBenchmark
{
    public static void Run(TextWriter output)
    {
        output.WriteLine($"ops: batch 64, C=8, 28x28, {get_num_threads()} threads, median of 15 runs after 3 warm-up runs");
        var x = randn(64, 8, 28, 28).ToChannelsLast(); // the layout the cells see (ChannelsLast)
        foreach (var primitive in Primitives.All)
        {
            using var op = Operations.Create(primitive, 8, 1);
            op.train();
            var forward = Time(() => op.call(x));
            var both = Time(() =>
            {
                var input = x.detach().requires_grad_(true);
                var y = op.call(input);
                y.sum().backward();
                return y;
            });
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {primitive.ToText(),-14} forward {forward,7:F2} ms   forward+backward {both,7:F2} ms"));
        }

        using var network = new SearchNetwork(new NetworkShape(1, 28, 8, 5, 10, Auxiliary: true));
        using var encoder = new IstaEncoder(new IstaSettings(), seed: 5);
        encoder.BeginEpoch();
        var images = randn(64, 1, 28, 28);
        var labels = randint(0, 10, 64);
        var step = Time(() =>
        {
            var (logits, aux) = network.forward(images, encoder.Project());
            var loss = nn.functional.cross_entropy(logits, labels) + 0.4 * nn.functional.cross_entropy(aux!, labels);
            loss.backward();
            return loss;
        });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  search network C=8, 5 cells: forward+backward {step:F1} ms"));
    }

    private static double Time(Func<Tensor> work)
    {
        var times = new List<double>();
        for (var i = 0; i < 18; i++)
        {
            using var scope = NewDisposeScope();
            var watch = System.Diagnostics.Stopwatch.StartNew();
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
