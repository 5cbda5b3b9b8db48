using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class FixedNetworkTests
{
    private static readonly Genotype AllPools = Genotype.Parse(
        "normal=[max_pool_3x3@0 max_pool_3x3@1 | max_pool_3x3@0 max_pool_3x3@2 | max_pool_3x3@1 max_pool_3x3@3 | max_pool_3x3@4 max_pool_3x3@0] "
        + "reduce=[avg_pool_3x3@0 avg_pool_3x3@1 | avg_pool_3x3@2 avg_pool_3x3@1 | avg_pool_3x3@3 avg_pool_3x3@0 | avg_pool_3x3@4 avg_pool_3x3@2]");

    [Fact]
    public void Darts_v2_at_cifar_size_has_the_published_3_3_million_parameters()
    {
        NasFixtures.SingleThread();
        using var network = new FixedNetwork(new NetworkShape(3, 32, 36, 20, 10, Auxiliary: true), Genotype.DartsV2);
        // DARTS reports 3.3 M (count_parameters_in_MB, aux excluded). We get 3,358,846: our skip_connect and pools
        // carry one BN each where DARTS's fixed network has none (≈ 8.6 k parameters).
        Assert.Equal(3_358_846, network.ParameterCount());
        Assert.InRange(network.ParameterCount() / 1e6, 3.2, 3.4);
        Assert.Equal(network.ParameterCount(), ParameterCounter.Count(NetworkShape.ParameterLimitReference, Genotype.DartsV2));
        Assert.True(network.parameters().Sum(p => p.numel()) > network.ParameterCount()); // the aux head exists but is not counted

        // Later NAS papers tabulate DARTS V2 on CIFAR-10 at 528 M multiply-adds (e.g. Fair DARTS); our extra BNs add none.
        Assert.InRange(network.MultiplyAdds() / 1e6, 527.5, 528.5);
    }

    [Theory]
    [InlineData(3, 8, 4, 3)]
    [InlineData(1, 8, 5, 2)]
    [InlineData(3, 160, 6, 3)]
    [InlineData(3, 12, 4, 1)]
    public void The_analytic_parameter_count_equals_the_built_networks(int inputChannels, int size, int channels, int layers)
    {
        NasFixtures.SingleThread();
        foreach (var genotype in new[] { NasFixtures.Mixed, Genotype.DartsV2, AllPools })
        {
            var shape = new NetworkShape(inputChannels, size, channels, layers, 6, Auxiliary: true);
            using var network = new FixedNetwork(shape, genotype);
            Assert.Equal(network.ParameterCount(), ParameterCounter.Count(shape, genotype));
        }
    }

    [Fact]
    public void Multiply_adds_match_a_hand_count()
    {
        NasFixtures.SingleThread();
        var shape = new NetworkShape(3, 8, 4, 3, 5, Auxiliary: true);
        using var pools = new FixedNetwork(shape, AllPools);
        // Pools cost nothing, so only the stem, the preprocessing and the classifier count (C=4, cells 8→8, 8→4, 4→2):
        long expected =
            (12 * 8 * 8 * 3 * 9)      // stem conv3×3 3→12 at 8×8
            + (4 * 8 * 8 * 12 * 2)    // cell 0: two ReLU-Conv1×1-BN 12→4 at 8×8
            + (8 * 8 * 8 * 12)        // cell 1 (reduce, C=8): s0 12→8 at 8×8
            + (8 * 8 * 8 * 16)        //                       s1 16→8 at 8×8
            + (2 * 8 * 4 * 4 * 16)    // cell 2 (reduce, C=16): FactorizedReduce 16→2×8 at 4×4
            + (16 * 4 * 4 * 32)       //                        s1 32→16 at 4×4
            + (64 * 5);               // classifier 4·16 → 5
        Assert.Equal(expected, pools.MultiplyAdds());

        // One sep_conv_3x3 on normal node 0 (cell 0 only, C=4, 8×8): 2 × (depthwise 4·64·9 + pointwise 4·4·64).
        var normal = AllPools.Normal.ToArray();
        normal[0] = new GenotypeEdge(Primitive.SepConv3x3, 0);
        using var sep = new FixedNetwork(shape, new Genotype(normal, AllPools.Reduce));
        Assert.Equal(expected + (2 * ((4 * 64 * 9) + (4 * 4 * 64))), sep.MultiplyAdds());
        Assert.True(sep.training); // counting does not leave the network in eval mode
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Folding_the_scalars_into_batch_norms_reproduces_the_search_network(bool fromEncoder)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(13);
        var shape = NasFixtures.Tiny(channels: 4, layers: 3, classes: 4);
        using var search = new SearchNetwork(shape);
        using var encoder = new IstaEncoder(new IstaSettings(), 2);
        var genotype = fromEncoder ? encoder.Genotype : NasFixtures.Mixed;
        var constant = NasFixtures.ArchitectureOf(NasFixtures.Mixed, seed: 3);
        Architecture Current() => fromEncoder ? encoder.Project() : constant; // a fresh projection per graph
        var architecture = Current();
        Assert.Contains(Enumerable.Range(0, 4).SelectMany(n => architecture.Support(CellType.Normal, n).Concat(architecture.Support(CellType.Reduce, n))),
            e => e.Scalar.ToDouble() < 0);
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            for (var node = 0; node < 4; node++)
            {
                search.UnfreezeNodeAffine(type, node);
            }
        }

        // A few SGD steps so BN affine parameters and running statistics are far from their initial values.
        var optimizer = optim.SGD(search.parameters().Where(p => p.requires_grad), 0.1, momentum: 0.9);
        for (var step = 0; step < 4; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var (logits, aux) = search.call(randn(6, 3, 8, 8) * 2 + 0.5, Current());
            var targets = randint(0, 4, [6]);
            (nn.functional.cross_entropy(logits, targets) + (0.4 * nn.functional.cross_entropy(aux!, targets))).backward();
            optimizer.step();
        }

        var images = randn(5, 3, 8, 8);
        using var deployed = FixedNetwork.FromSearch(search, architecture, genotype);
        search.eval();
        deployed.eval();
        var expected = search.call(images, architecture).Logits;
        var actual = deployed.call(images).Logits;
        Assert.True(expected.abs().max().ToDouble() > 1e-3); // not trivially zero
        Assert.True(allclose(actual, expected, 0, 1e-5), $"max difference {(actual - expected).abs().max().ToDouble()}");

        // Training mode uses batch statistics; the fold is exact there too, for logits and aux logits.
        search.train();
        deployed.train();
        var (trainLogits, trainAux) = search.call(images, architecture);
        var (fixedLogits, fixedAux) = deployed.call(images);
        Assert.True(allclose(fixedLogits, trainLogits, 0, 1e-5));
        Assert.True(allclose(fixedAux!, trainAux!, 0, 1e-5));
    }

    [Fact]
    public void Folding_rejects_a_genotype_that_is_not_the_architectures_support()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var search = new SearchNetwork(NasFixtures.Tiny());
        var architecture = NasFixtures.ArchitectureOf(NasFixtures.Mixed);
        Assert.Throws<ArgumentException>(() => FixedNetwork.FromSearch(search, architecture, Genotype.DartsV2));
    }

    [Fact]
    public void A_network_built_from_shape_and_genotype_loads_saved_weights()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(21);
        var shape = NasFixtures.Tiny(inputChannels: 1, imageSize: 8, channels: 4, layers: 3, classes: 3);
        using var trained = new FixedNetwork(shape, NasFixtures.Mixed);
        trained.call(randn(4, 1, 8, 8)); // update BN running statistics
        trained.eval();
        var images = randn(3, 1, 8, 8);
        var expected = trained.call(images).Logits;

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            trained.save(writer);
        }
        stream.Position = 0;
        using var loaded = new FixedNetwork(shape, NasFixtures.Mixed);
        loaded.eval();
        Assert.False(allclose(loaded.call(images).Logits, expected));
        using (var reader = new BinaryReader(stream))
        {
            loaded.load(reader);
        }
        Assert.True(allclose(loaded.call(images).Logits, expected, 0, 0));
    }
}
