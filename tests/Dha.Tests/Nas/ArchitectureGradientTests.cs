using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class ArchitectureGradientTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_gradient_of_the_loss_with_respect_to_z_matches_central_differences(bool normalise)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var shape = NasFixtures.Tiny(channels: 4, layers: 3, classes: 3);
        using var network = new SearchNetwork(shape);
        network.to(ScalarType.Float64);
        using var encoder = new IstaEncoder(new IstaSettings(NormaliseScalars: normalise), 9, ScalarType.Float64);
        var images = randn([3, 3, 8, 8], ScalarType.Float64);
        var targets = tensor(new long[] { 0, 2, 1 });

        // Training mode (batch statistics, aux head); no drop-path, so the loss is a deterministic function of z.
        double Loss()
        {
            using var inner = NewDisposeScope();
            var (logits, aux) = network.call(images, encoder.Project());
            return (nn.functional.cross_entropy(logits, targets) + (0.4 * nn.functional.cross_entropy(aux!, targets))).ToDouble();
        }

        encoder.ZeroGrad();
        {
            var (logits, aux) = network.call(images, encoder.Project());
            (nn.functional.cross_entropy(logits, targets) + (0.4 * nn.functional.cross_entropy(aux!, targets))).backward();
        }
        var codes = encoder.Codes().ToArray();
        var checkedEntries = 0;
        foreach (var z in codes)
        {
            var analytic = z.grad!.data<double>().ToArray();
            Assert.Contains(analytic, g => Math.Abs(g) > 1e-6);
            foreach (var r in new[] { 0, 3, 6 })
            {
                // A small step (1e-6 of |z|) so few ReLU/max-pool kinks are crossed; float64 keeps round-off near 1e-7.
                const double h = 1e-9;
                var original = z[r].ToDouble();
                using (no_grad())
                {
                    z[r] = original + h;
                }
                var up = Loss();
                using (no_grad())
                {
                    z[r] = original - h;
                }
                var down = Loss();
                using (no_grad())
                {
                    z[r] = original;
                }
                var numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[r]) <= 1e-4 * Math.Max(1.0, Math.Abs(numeric)),
                    $"z[{r}]: autograd {analytic[r]}, finite difference {numeric}");
                checkedEntries++;
            }
        }
        Assert.Equal(24, checkedEntries);
    }
}
