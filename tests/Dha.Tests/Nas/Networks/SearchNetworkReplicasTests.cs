using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class SearchNetworkReplicasTests
{
    private const int RunSeed = 3;
    private const long Step = 17;

    /// <summary>
    /// The independent computation: a copy of the network, each part of the batch in turn on one thread with plain
    /// autograd, its mean loss weighted by its share, the drop-path masks drawn from the generator the part is seeded
    /// with. Two parallel parts must leave the same gradients in the weights and in the codes behind the scalars, and
    /// the running statistics of the first part alone.
    /// </summary>
    [Theory]
    [InlineData(2, 8)]
    [InlineData(3, 7)]
    public void The_parts_leave_the_gradients_and_statistics_of_the_parts_computed_one_after_another(int parts, int batch)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        var shape = NasFixtures.Tiny();
        using var network = new SearchNetwork(shape);
        network.to(float64);
        network.UnfreezeNodeAffine(CellType.Normal, 1); // some BN affine trains, the rest is frozen
        network.DropPathProbability = 0.3;
        using var replicas = new SearchNetworkReplicas(network, parts, threads: 1);
        using (no_grad())
        {
            // an optimiser's in-place step after the replicas exist: they must compute with the new weights
            foreach (var p in network.parameters())
            {
                p.add_(randn_like(p) * 0.05);
            }
        }
        using var reference = new SearchNetwork(shape);
        reference.to(float64);
        reference.UnfreezeNodeAffine(CellType.Normal, 1);
        reference.DropPathProbability = 0.3;
        Operations.CopyState(network, reference);

        var images = randn(batch, 3, 8, 8, dtype: float64);
        var labels = randint(0, 5, batch);
        var template = NasFixtures.ArchitectureOf(NasFixtures.Mixed, dtype: float64);
        var z = randn(16, dtype: float64).requires_grad_();
        var zReference = z.detach().clone().requires_grad_();
        Architecture Behind(Tensor codes) => template.WithScalars([.. Enumerable.Range(0, 16).Select(i => codes[i] * 1.5)]);

        replicas.Seed(RunSeed, Step);
        replicas.Run(images, labels, Behind(z), (net, x, y, arch) => (Loss(net, x, y, arch), []));

        var statisticsOfFirstPart = (Dictionary<string, Tensor>?)null;
        var splitImages = images.tensor_split(parts);
        var splitLabels = labels.tensor_split(parts);
        for (var k = 0; k < parts; k++)
        {
            using var generator = new Generator();
            generator.manual_seed(Seeds.For(RunSeed, "drop-path", Step, k));
            reference.DropPathGenerator = generator;
            Loss(reference, splitImages[k], splitLabels[k], Behind(zReference)).mul(splitImages[k].shape[0] / (double)batch).backward();
            statisticsOfFirstPart ??= reference.named_buffers().ToDictionary(b => b.name, b => b.buffer.clone());
        }
        reference.DropPathGenerator = null;

        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var compared = 0;
        foreach (var (name, parameter) in network.named_parameters())
        {
            var want = expected[name].grad;
            var got = parameter.grad;
            Assert.Equal(want is null, got is null);
            if (want is not null)
            {
                Assert.True(want.allclose(got!, rtol: 1e-9, atol: 1e-12), $"gradient of {name}");
                compared++;
            }
        }
        Assert.True(compared > 20, $"only {compared} gradients compared");
        Assert.True(zReference.grad!.allclose(z.grad!, rtol: 1e-9, atol: 1e-12), "gradient of the codes behind the scalars");
        foreach (var (name, buffer) in network.named_buffers())
        {
            Assert.True(statisticsOfFirstPart![name].to(float64).allclose(buffer.to(float64), rtol: 1e-12, atol: 1e-12), $"running statistic {name}");
        }
    }

    [Fact]
    public void The_same_seed_draws_the_same_masks_and_another_seed_others()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var network = new SearchNetwork(NasFixtures.Tiny(auxiliary: false));
        network.DropPathProbability = 0.5;
        using var replicas = new SearchNetworkReplicas(network, 2, threads: 1);
        var images = randn(8, 3, 8, 8);
        var labels = randint(0, 5, 8);
        var architecture = NasFixtures.ArchitectureOf(NasFixtures.Mixed);
        Tensor Gradient(long step)
        {
            network.zero_grad();
            replicas.Seed(RunSeed, step);
            replicas.Run(images, labels, architecture, (net, x, y, arch) => (Loss(net, x, y, arch), []));
            return network.parameters().First().grad!.clone();
        }
        var first = Gradient(1);
        Assert.True(first.equal(Gradient(1)).all().item<bool>());
        Assert.False(first.equal(Gradient(2)).all().item<bool>());
    }

    [Fact]
    public void What_a_part_keeps_comes_back_in_part_order()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var network = new SearchNetwork(NasFixtures.Tiny(auxiliary: false));
        using var replicas = new SearchNetworkReplicas(network, 2, threads: 1);
        var labels = arange(6);
        var kept = replicas.Run(randn(6, 3, 8, 8), labels, NasFixtures.ArchitectureOf(NasFixtures.Mixed), (net, x, y, arch) =>
            (net.forward(x, arch).Logits.sum(), [y * 10]));
        Assert.Equal([0L, 10, 20], kept[0][0].data<long>().ToArray());
        Assert.Equal([30L, 40, 50], kept[1][0].data<long>().ToArray());
    }

    [Fact]
    public async Task A_part_that_throws_fails_the_run_without_leaving_the_other_waiting()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var network = new SearchNetwork(NasFixtures.Tiny(auxiliary: false));
        using var replicas = new SearchNetworkReplicas(network, 2, threads: 1);
        var architecture = NasFixtures.ArchitectureOf(NasFixtures.Mixed);
        var run = Task.Run(() => replicas.Run(randn(4, 3, 8, 8), randint(0, 5, 4), architecture, (net, x, y, arch) =>
            net == network ? (Loss(net, x, y, arch), []) : throw new InvalidOperationException("part failed"), forwardDone: () => { }));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(1))) == run, "the run hung");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run);
        Assert.Equal("part failed", error.Message);
    }

    private static Tensor Loss(SearchNetwork network, Tensor images, Tensor labels, Architecture architecture)
    {
        var (logits, aux) = network.forward(images, architecture);
        var loss = nn.functional.cross_entropy(logits, labels);
        return aux is null ? loss : loss + (0.4 * nn.functional.cross_entropy(aux, labels));
    }
}
