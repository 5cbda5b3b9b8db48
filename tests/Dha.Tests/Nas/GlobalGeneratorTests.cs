using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

/// <summary>Tests that read torch's global generator run alone: parallel tests would draw from it meanwhile.</summary>
[CollectionDefinition(nameof(GlobalGeneratorTests), DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
}

[Collection(nameof(GlobalGeneratorTests))]
public class GlobalGeneratorTests
{
    private static byte[] State() => random.get_rng_state().data<byte>().ToArray();

    [Fact]
    public void The_encoder_draws_from_its_seed_only()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(99);
        var before = State();
        using var encoder = new IstaEncoder(new IstaSettings(), 5);
        Assert.Equal(before, State());
    }

    [Fact]
    public void Folding_into_a_fixed_network_leaves_the_global_generator_as_it_was()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        using var search = new SearchNetwork(NasFixtures.Tiny());
        var before = State();
        using (FixedNetwork.FromSearch(search, NasFixtures.ArchitectureOf(NasFixtures.Mixed), NasFixtures.Mixed))
        {
            Assert.Equal(before, State());
        }
        using (new FixedNetwork(NasFixtures.Tiny(), NasFixtures.Mixed))
        {
            Assert.NotEqual(before, State()); // building does draw: the check above can fail
        }
    }
}
