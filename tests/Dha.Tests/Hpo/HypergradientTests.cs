using Dha.Hpo;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Hpo;

/// <summary>
/// The closed-form hypergradients of <see cref="HyperSgd"/> against autograd through a differentiable version of
/// the same step, w'(η, λ) = w − η·(μ·v_prev + g + λ·w) with g detached, and against central finite differences.
/// </summary>
public class HypergradientTests
{
    private const double Momentum = 0.9;

    [Fact]
    public void Closed_form_hypergradients_equal_autograd_through_the_step_on_the_first_and_a_later_step()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 11);
        using var sgd = new HyperSgd(net.Weights, Momentum, gradClip: 1e9);
        var (val, valLabels) = TinyHpoNet.Batch(seed: 99, n: 5);

        // Step 1: no previous velocity.
        var (eta1, lambda1) = (0.1, 0.05);
        var (x1, y1) = TinyHpoNet.Batch(seed: 1);
        var w0 = net.Snapshot();
        net.Backward(x1, y1);
        var g1 = net.Grads();
        sgd.Step(eta1, lambda1);
        AssertWeightsAre(net, WPrime(w0, g1, null, eta1, lambda1));
        var closed1 = ValidationHypergradient(net, sgd, val, valLabels, eta1);
        var auto1 = AutogradHypergradient(w0, g1, null, eta1, lambda1, val, valLabels);
        AssertRelativelyClose(auto1.Eta, closed1.LearningRate, 1e-6);
        AssertRelativelyClose(auto1.Lambda, closed1.WeightDecay, 1e-6);
        Assert.NotEqual(0.0, closed1.WeightDecay); // w, not the detached first velocity, carries λ (design §3 #6)

        // Step 2: a non-zero previous velocity v1 = g1 + λ1·w0, computed here independently.
        var v1 = Enumerable.Range(0, TinyHpoNet.UsedCount).Select(i => g1[i].add(w0[i], alpha: lambda1)).ToArray();
        var (eta2, lambda2) = (0.07, 0.2);
        var (x2, y2) = TinyHpoNet.Batch(seed: 2);
        var w1 = net.Snapshot();
        net.Backward(x2, y2);
        var g2 = net.Grads();
        sgd.Step(eta2, lambda2);
        AssertWeightsAre(net, WPrime(w1, g2, v1, eta2, lambda2));
        var closed2 = ValidationHypergradient(net, sgd, val, valLabels, eta2);
        var auto2 = AutogradHypergradient(w1, g2, v1, eta2, lambda2, val, valLabels);
        AssertRelativelyClose(auto2.Eta, closed2.LearningRate, 1e-6);
        AssertRelativelyClose(auto2.Lambda, closed2.WeightDecay, 1e-6);

        // Central finite differences of L_val(w'(η, λ)) around (η2, λ2).
        const double h = 1e-6;
        double LossAt(double eta, double lambda)
        {
            using var inner = NewDisposeScope();
            return TinyHpoNet.FunctionalLoss(val, valLabels, WPrime(w1, g2, v1, eta, lambda)).ToDouble();
        }
        var fdEta = (LossAt(eta2 + h, lambda2) - LossAt(eta2 - h, lambda2)) / (2 * h);
        var fdLambda = (LossAt(eta2, lambda2 + h) - LossAt(eta2, lambda2 - h)) / (2 * h);
        AssertRelativelyClose(fdEta, closed2.LearningRate, 1e-6);
        AssertRelativelyClose(fdLambda, closed2.WeightDecay, 1e-6);
    }

    [Fact]
    public void Tensors_without_a_validation_gradient_contribute_nothing()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 5);
        using var sgd = new HyperSgd(net.Weights, Momentum, gradClip: 1e9);
        var (x, y) = TinyHpoNet.Batch(seed: 3);
        var (val, valLabels) = TinyHpoNet.Batch(seed: 4);
        var w0 = net.Snapshot();
        net.Backward(x, y);
        var g = net.Grads();
        sgd.Step(0.1, 0.01);
        var all = ValidationHypergradient(net, sgd, val, valLabels, 0.1);

        // Drop the classifier's validation gradient: the sums must lose exactly its terms.
        var fcWeightGrad = net.Weights[4].grad!.detach().clone();
        net.Weights[4].grad = null;
        var partial = sgd.Hypergradient(0.1);

        var v = g[4].add(w0[4], alpha: 0.01);
        Assert.Equal(all.LearningRate + fcWeightGrad.mul(v).sum().ToDouble(), partial.LearningRate, 12);
        Assert.Equal(all.WeightDecay + 0.1 * fcWeightGrad.mul(w0[4]).sum().ToDouble(), partial.WeightDecay, 12);
    }

    [Fact]
    public void Hypergradient_before_any_step_is_an_error()
    {
        using var net = new TinyHpoNet(seed: 5);
        using var sgd = new HyperSgd(net.Weights);

        Assert.Throws<InvalidOperationException>(() => sgd.Hypergradient(0.1));
    }

    // w − η·(μ·v_prev + g + λ·w) for the six weights that run (v_prev null: first step).
    private static Tensor[] WPrime(Tensor[] w, Tensor[] g, Tensor[]? previousVelocity, double eta, double lambda) =>
        [.. Enumerable.Range(0, TinyHpoNet.UsedCount).Select(i =>
        {
            var d = g[i] + lambda * w[i];
            var v = previousVelocity is null ? d : Momentum * previousVelocity[i] + d;
            return w[i] - eta * v;
        })];

    private static (double LearningRate, double WeightDecay) ValidationHypergradient(
        TinyHpoNet net, HyperSgd sgd, Tensor images, Tensor labels, double eta)
    {
        net.Backward(images, labels);
        return sgd.Hypergradient(eta);
    }

    private static (double Eta, double Lambda) AutogradHypergradient(
        Tensor[] w, Tensor[] g, Tensor[]? previousVelocity, double eta, double lambda, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var etaT = tensor(eta, ScalarType.Float64).requires_grad_();
        var lambdaT = tensor(lambda, ScalarType.Float64).requires_grad_();
        var wPrime = Enumerable.Range(0, TinyHpoNet.UsedCount).Select(i =>
        {
            var d = g[i].detach() + lambdaT * w[i].detach();
            var v = previousVelocity is null ? d : Momentum * previousVelocity[i].detach() + d;
            return w[i].detach() - etaT * v;
        }).ToArray();
        var loss = TinyHpoNet.FunctionalLoss(images, labels, wPrime);
        var grads = autograd.grad([loss], [etaT, lambdaT], retain_graph: true, create_graph: true);
        return (grads[0].ToDouble(), grads[1].ToDouble());
    }

    private static void AssertWeightsAre(TinyHpoNet net, Tensor[] expected)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(allclose(net.Weights[i], expected[i], rtol: 1e-13, atol: 1e-14), $"weight {i} differs from w'");
        }
    }

    private static void AssertRelativelyClose(double expected, double actual, double tolerance)
    {
        var error = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(error < tolerance, $"expected {expected:R}, got {actual:R} (relative error {error:E2})");
    }
}
