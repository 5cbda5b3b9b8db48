using Dha.Optimisers;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Dha.Tests.Optimisers;

public class OptimiserTests
{
    private static readonly double[] Start = [0.5, -1.25, 2.0, 0.0];

    // gradients of four steps, so momentum and bias correction both matter
    private static readonly double[][] Gradients =
    [
        [0.3, -0.2, 1.5, -0.7],
        [-0.1, 0.4, 0.9, 0.2],
        [0.6, 0.05, -1.1, 0.3],
        [0.2, -0.3, 0.4, -0.5],
    ];

    [Fact]
    public void Nesterov_sgd_matches_a_hand_worked_step()
    {
        // μ = 0.5, wd = 0.1, lr = 0.2, p = 1
        // step 1: g = 2: d = 2 + 0.1·1 = 2.1; buf = 2.1; d = 2.1 + 0.5·2.1 = 3.15; p = 1 − 0.2·3.15 = 0.37
        // step 2: g = −1: d = −1 + 0.037 = −0.963; buf = 0.5·2.1 − 0.963 = 0.087; d = −0.963 + 0.0435 = −0.9195;
        //         p = 0.37 + 0.2·0.9195 = 0.5539
        double[] p = [1.0];
        double[]? buffer = null;
        NesterovSgd.Step(p, [2.0], ref buffer, 0.2, 0.5, 0.1);
        Assert.Equal(0.37, p[0], 12);
        Assert.Equal(2.1, buffer![0], 12);
        NesterovSgd.Step(p, [-1.0], ref buffer, 0.2, 0.5, 0.1);
        Assert.Equal(0.087, buffer![0], 12);
        Assert.Equal(0.5539, p[0], 12);
    }

    [Fact]
    public void Nesterov_sgd_without_momentum_keeps_no_buffer()
    {
        double[] p = [1.0];
        double[]? buffer = null;
        NesterovSgd.Step(p, [2.0], ref buffer, 0.25, 0, 0);
        Assert.Null(buffer);
        Assert.Equal(0.5, p[0]);
    }

    [Fact]
    public void Nesterov_sgd_follows_torch_optim_sgd()
    {
        const double lr = 0.1, momentum = 0.9, weightDecay = 5e-3;
        using var scope = NewDisposeScope();
        var parameter = new Parameter(tensor(Start, ScalarType.Float64));
        using var sgd = optim.SGD([parameter], lr, momentum, dampening: 0, weight_decay: weightDecay, nesterov: true);
        var ours = (double[])Start.Clone();
        double[]? buffer = null;
        foreach (var g in Gradients)
        {
            parameter.grad = tensor(g, ScalarType.Float64);
            sgd.step();
            NesterovSgd.Step(ours, g, ref buffer, lr, momentum, weightDecay);
        }
        AssertClose(parameter.data<double>().ToArray(), ours);
        Assert.NotEqual(Start, ours);
    }

    [Fact]
    public void Adam_follows_torch_optim_adam()
    {
        const double lr = 0.05, beta1 = 0.5, beta2 = 0.999, weightDecay = 1e-3;
        using var scope = NewDisposeScope();
        var parameter = new Parameter(tensor(Start, ScalarType.Float64));
        using var adam = optim.Adam([parameter], lr, beta1, beta2, Adam.Epsilon, weightDecay);
        var ours = (double[])Start.Clone();
        var m = new double[ours.Length];
        var v = new double[ours.Length];
        for (var t = 0; t < Gradients.Length; t++)
        {
            parameter.grad = tensor(Gradients[t], ScalarType.Float64);
            adam.step();
            Adam.Step(ours, Gradients[t], m, v, t + 1, lr, beta1, beta2, weightDecay);
        }
        AssertClose(parameter.data<double>().ToArray(), ours);
        Assert.NotEqual(Start, ours);
    }

    [Fact]
    public void Adam_first_step_moves_each_parameter_by_the_learning_rate()
    {
        // with zero moments, m̂ = g and v̂ = g², so the first step is lr·g/(|g| + ε): lr against the gradient's sign
        double[] p = [1.0, -2.0];
        var m = new double[2];
        var v = new double[2];
        Adam.Step(p, [3.0, -0.5], m, v, 1, 0.01, 0.9, 0.999, 0);
        Assert.Equal(1.0 - 0.01, p[0], 9);
        Assert.Equal(-2.0 + 0.01, p[1], 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Adam.Step(p, [1.0, 1.0], m, v, 0, 0.01, 0.9, 0.999, 0));
    }

    // libtorch may fuse a multiply-add where the helper rounds twice: equal to the last few ulps
    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"entry {i}: torch {expected[i]:R}, helper {actual[i]:R}");
        }
    }
}
