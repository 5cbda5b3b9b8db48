using Dha.Augment;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class PolicyGradientTests
{
    private const int Pairs = 196;

    /// <summary>J of each estimator written as the method states it, in TorchSharp (float64), for autograd.</summary>
    private static Tensor Objective(PolicyEstimator estimator, Tensor theta, double[] losses, long[] pairs)
    {
        var loss = tensor(losses, ScalarType.Float64);
        var index = tensor(pairs);
        return estimator == PolicyEstimator.Reference
            ? (-loss * nn.functional.softmax(theta, 0).index_select(0, index)).mean()
            : -((loss - loss.mean()) * nn.functional.log_softmax(theta, 0).index_select(0, index)).mean();
    }

    /// <summary>The same J in plain doubles, for finite differences.</summary>
    private static double Objective(PolicyEstimator estimator, double[] theta, double[] losses, long[] pairs)
    {
        var max = theta.Max();
        var logSum = max + Math.Log(theta.Sum(t => Math.Exp(t - max)));
        var mean = losses.Average();
        var j = 0.0;
        for (var b = 0; b < losses.Length; b++)
        {
            var logP = theta[pairs[b]] - logSum;
            j += estimator == PolicyEstimator.Reference ? -losses[b] * Math.Exp(logP) : -(losses[b] - mean) * logP;
        }
        return j / losses.Length;
    }

    private static (double[] Theta, double[] Losses, long[] Pairs) Problem(int seed)
    {
        var rng = new Random(seed);
        var theta = Enumerable.Range(0, Pairs).Select(_ => rng.NextDouble() * 3 - 1.5).ToArray();
        const int batch = 40;
        var losses = Enumerable.Range(0, batch).Select(_ => 0.1 + 3 * rng.NextDouble()).ToArray();
        // few distinct pairs, so some repeat
        var pairs = Enumerable.Range(0, batch).Select(_ => (long)rng.Next(12) * 15).ToArray();
        return (theta, losses, pairs);
    }

    private static double[] Probabilities(double[] theta)
    {
        using var scope = NewDisposeScope();
        return nn.functional.softmax(tensor(theta, ScalarType.Float64), 0).data<double>().ToArray();
    }

    [Theory]
    [InlineData(PolicyEstimator.Reference)]
    [InlineData(PolicyEstimator.Score)]
    public void The_closed_form_gradient_equals_autograd_in_float64(PolicyEstimator estimator)
    {
        using var scope = NewDisposeScope();
        var (theta, losses, pairs) = Problem(5);
        var t = tensor(theta, ScalarType.Float64).requires_grad_(true);
        Objective(estimator, t, losses, pairs).backward();
        var autograd = t.grad!.data<double>().ToArray();

        var closedForm = PolicyGradient.Of(estimator, Probabilities(theta), losses, pairs);
        Assert.True(autograd.Select(Math.Abs).Max() > 1e-4, "the test gradient should not be trivially small");
        for (var k = 0; k < Pairs; k++)
        {
            Assert.Equal(autograd[k], closedForm[k], 14);
        }
    }

    [Theory]
    [InlineData(PolicyEstimator.Reference)]
    [InlineData(PolicyEstimator.Score)]
    public void The_closed_form_gradient_equals_central_differences(PolicyEstimator estimator)
    {
        var (theta, losses, pairs) = Problem(11);
        var closedForm = PolicyGradient.Of(estimator, Probabilities(theta), losses, pairs);
        const double h = 1e-5;
        var largest = 0.0;
        for (var k = 0; k < Pairs; k++)
        {
            var plus = (double[])theta.Clone();
            var minus = (double[])theta.Clone();
            plus[k] += h;
            minus[k] -= h;
            var difference = (Objective(estimator, plus, losses, pairs) - Objective(estimator, minus, losses, pairs)) / (2 * h);
            Assert.Equal(difference, closedForm[k], 9);
            largest = Math.Max(largest, Math.Abs(difference));
        }
        Assert.True(largest > 1e-4, "the test gradient should not be trivially small");
    }

    [Fact]
    public void The_score_gradient_raises_pairs_above_the_batch_mean_and_lowers_those_below()
    {
        var p = Enumerable.Repeat(1.0 / Pairs, Pairs).ToArray();
        var gradient = PolicyGradient.Score(p, [3.0, 1.0, 2.0], [7, 9, 11]);
        // a descent step θ −= lr·∇J: the pair with the larger loss rises, the one with the smaller falls
        Assert.True(gradient[7] < 0 && gradient[9] > 0);
        Assert.Equal(0, gradient[11], 15); // at the mean: no push either way
        Assert.Equal(0, gradient[0], 15); // not sampled
        Assert.Equal(0, gradient.Sum(), 14); // a softmax gradient sums to zero
    }

    /// <summary>
    /// A synthetic training loss that is higher for three known pairs (0.5 above the rest, per-sample noise σ = 0.5),
    /// pairs drawn from the current policy, 300 steps of B = 64 at the same rate 0.05: the score form ranks the three on
    /// top and lowers the entropy by thousandths of a nat; the ∇p form, carrying a factor p ≈ 1/196, by ~1e-7.
    /// </summary>
    [Fact]
    public void In_a_simulation_only_the_score_form_moves_the_entropy_and_finds_the_hard_pairs()
    {
        int[] hard = [17, 90, 151];
        var (scoreDrop, scoreTop) = Simulate(PolicyEstimator.Score, hard);
        var (referenceDrop, _) = Simulate(PolicyEstimator.Reference, hard);

        Assert.Equal(hard, scoreTop.Order());
        Assert.InRange(scoreDrop, 1e-3, 0.1);
        Assert.InRange(referenceDrop, 1e-8, 1e-5);
        Assert.True(scoreDrop > 1000 * referenceDrop, $"score {scoreDrop} vs reference {referenceDrop}");
    }

    private static (double EntropyDrop, int[] Top) Simulate(PolicyEstimator estimator, int[] hard)
    {
        using var scope = NewDisposeScope();
        using var policy = new OpPairPolicy(0.05, estimator: estimator);
        var rng = new Random(3);
        const int batch = 64;
        var start = policy.Entropy();
        for (var step = 0; step < 300; step++)
        {
            var cumulative = policy.Probabilities();
            for (var k = 1; k < Pairs; k++)
            {
                cumulative[k] += cumulative[k - 1];
            }
            var pairs = new long[2 * batch];
            var losses = new float[batch];
            for (var b = 0; b < batch; b++)
            {
                var u = rng.NextDouble() * cumulative[^1];
                var k = Math.Min(Pairs - 1, Array.FindIndex(cumulative, c => c >= u));
                pairs[2 * b] = k / 14;
                pairs[2 * b + 1] = k % 14;
                var gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                losses[b] = (float)(1.0 + 0.5 * gauss + (hard.Contains(k) ? 0.5 : 0.0));
            }
            policy.Update(tensor(losses), tensor(pairs, [batch, 2]));
        }
        var p = policy.Probabilities();
        return (start - policy.Entropy(), [.. Enumerable.Range(0, Pairs).OrderByDescending(k => p[k]).Take(hard.Length)]);
    }
}
