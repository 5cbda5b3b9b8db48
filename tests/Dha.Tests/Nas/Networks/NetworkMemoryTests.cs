using Dha.Nas;

namespace Dha.Tests.Nas;

public sealed class NetworkMemoryTests
{
    [Theory]
    [InlineData(1, 28, 4, 3, 10)]
    [InlineData(3, 32, 6, 5, 4)]
    [InlineData(3, 128, 4, 3, 2)]
    public void The_search_network_parameters_are_counted_exactly_from_the_layout(int inputChannels, int size, int channels, int layers, int classes)
    {
        var shape = new NetworkShape(inputChannels, size, channels, layers, classes, Auxiliary: false);
        using var network = new SearchNetwork(shape);

        Assert.Equal(network.parameters().Sum(p => p.numel()), NetworkMemory.SearchParameters(shape));
    }

    [Fact]
    public void The_training_estimate_holds_four_copies_of_the_parameters_and_grows_with_the_batch()
    {
        var shape = new NetworkShape(1, 28, 8, 4, 10, Auxiliary: false);
        var one = NetworkMemory.SearchTrainingBytes(shape, 1);
        var two = NetworkMemory.SearchTrainingBytes(shape, 2);
        var activations = two - one;

        Assert.Equal(4 * 4 * NetworkMemory.SearchParameters(shape), one - activations);
        // at least the stem's output (3C channels at full size) and the first cell's 8 ops, 4 floats each
        Assert.True(activations >= 4L * ((3 * 8 * 28 * 28) + (8 * 4 * 8 * 28 * 28)), $"{activations} bytes per image");
        Assert.Equal(4L * ParameterCounter.Count(shape, Genotype.DartsV2), NetworkMemory.FixedWeightBytes(shape, Genotype.DartsV2));
    }

    [Fact]
    public void A_network_that_does_not_fit_is_refused_with_the_limit_and_one_that_fits_is_not()
    {
        var huge = new NetworkShape(3, 1024, 1024, 100, 10, Auxiliary: false);
        NetworkMemory.Check(NetworkMemory.SearchTrainingBytes(new NetworkShape(1, 28, 8, 4, 10, false), 64), "small", "fix");

        var e = Assert.Throws<InvalidInputException>(() => NetworkMemory.Check(NetworkMemory.SearchTrainingBytes(huge, 64), "the network", "lower it"));

        var limit = NetworkMemory.Available() / (1024.0 * 1024 * 1024);
        Assert.Matches(@"^the network needs at least [0-9.]+ GiB of memory \(estimate\), more than the [0-9.]+ GiB this machine has; lower it$", e.Message);
        Assert.Contains(limit.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " GiB this machine has", e.Message);
    }
}
