using Dha.Hpo;
using static TorchSharp.torch;

namespace Dha.Tests.Hpo;

/// <summary>The two reference behaviours of the weight step (dha-method §6.2 and §10 #25), against hand computations.</summary>
public class HyperSgdReferenceTests
{
    private const double Eta = 0.05;
    private const double Lambda = 0.01;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_weight_that_ran_before_decays_with_its_momentum_when_inactive_only_in_the_reference(bool decayInactive)
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 4);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 1e9, decayInactive: decayInactive);
        var (x, y) = TinyHpoNet.Batch(seed: 5);
        const int unused = TinyHpoNet.UsedCount; // the layer the forward never runs
        var neverRan = net.Snapshot()[unused + 1];

        // step 1: the unused layer gets a gradient by hand, so it has run once
        net.Backward(x, y);
        net.Weights[unused].grad = full_like(net.Weights[unused], 0.3);
        sgd.Step(Eta, Lambda);
        var w1 = net.Snapshot()[unused];
        var v1 = sgd.VelocityOf(unused)!.clone();

        // step 2: it does not run
        net.Backward(x, y);
        sgd.Step(Eta, Lambda);

        var expected = decayInactive ? w1 - (Eta * ((0.9 * v1) + (Lambda * w1))) : w1;
        Assert.True(allclose(net.Weights[unused], expected, rtol: 1e-12, atol: 1e-15));
        Assert.NotEqual(decayInactive, net.Weights[unused].eq(w1).all().item<bool>());
        // its bias never had a gradient at all: no velocity, never stepped, in either mode
        Assert.True(net.Weights[unused + 1].eq(neverRan).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_weight_decay_hypergradient_reads_the_updated_weights_and_is_zero_on_a_first_update_in_the_reference(bool aliased)
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 6);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 1e9, aliasedWeightDecayGradient: aliased);
        for (var step = 0; step < 2; step++)
        {
            var (x, y) = TinyHpoNet.Batch(seed: 10 + step);
            net.Backward(x, y);
            var before = net.Snapshot();
            sgd.Step(Eta, Lambda);
            var after = net.Snapshot();
            var (xv, yv) = TinyHpoNet.Batch(seed: 20 + step);
            net.Backward(xv, yv);
            var grads = net.Grads();

            var weights = aliased ? after : before;
            var dot = Enumerable.Range(0, TinyHpoNet.UsedCount).Sum(i => grads[i].mul(weights[i]).sum().item<double>());
            var expected = aliased && step == 0 ? 0.0 : -Eta * dot;
            var (_, dLambda) = sgd.Hypergradient(Eta);
            Assert.Equal(expected, dLambda, 1e-12);
            if (step == 1)
            {
                Assert.NotEqual(0.0, dLambda);
            }
        }
    }
}
