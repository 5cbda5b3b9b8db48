using Dha.Hpo;
using static TorchSharp.torch;

namespace Dha.Tests.Hpo;

public class HyperLearnerTests
{
    private static readonly (double LearningRate, double WeightDecay)[] Gradients = [(1.0, -2.0), (0.5, 1.0), (-1.0, 0.25)];

    [Fact]
    public void Nesterov_steps_match_a_hand_computation_over_three_steps()
    {
        // η0 = λ0 = 0.5 (midpoints of [0, 1]); h_lr 0.1, 0.1 then 0.2 (a phase switch); μ = 0.9, wd = 5e-4.
        // Step 1, η: d = 1 + 5e-4·0.5 = 1.00025; buf = d; d + 0.9·buf = 1.900475; η = 0.5 − 0.1·1.900475 = 0.3099525.
        //         λ: d = −2 + 0.00025 = −1.99975; d + 0.9·d = −3.799525; λ = 0.5 + 0.3799525 = 0.8799525.
        // Steps 2 and 3 follow the same rule, with buf = 0.9·buf + d (values worked out in double precision).
        var learner = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.1);
        Assert.Equal((0.5, 0.5), (learner.LearningRate, learner.WeightDecay));

        learner.Step(Gradients[0].LearningRate, Gradients[0].WeightDecay);
        Assert.Equal(0.3099525, learner.LearningRate, 14);
        Assert.Equal(0.8799525, learner.WeightDecay, 14);

        learner.Step(Gradients[1].LearningRate, Gradients[1].WeightDecay);
        Assert.Equal(0.13390280451249992, learner.LearningRate, 14);
        Assert.Equal(0.8518486545125, learner.WeightDecay, 14);

        learner.HyperLearningRate = 0.2;
        learner.Step(Gradients[2].LearningRate, Gradients[2].WeightDecay);
        Assert.Equal(0.28701580682714256, learner.LearningRate, 14);
        Assert.Equal(0.8861790771156426, learner.WeightDecay, 14);

        Assert.Equal(3, learner.Trajectory.Count);
        Assert.Equal(learner.LearningRate, learner.Trajectory[2].LearningRate);
    }

    [Fact]
    public void Nesterov_steps_match_torch_optim_SGD()
    {
        var learner = new HyperLearner(new HyperRange(0, 10), new HyperRange(0, 10), hyperLearningRate: 0.03);
        using var scope = NewDisposeScope();
        var p = nn.Parameter(tensor(new[] { 5.0, 5.0 }, ScalarType.Float64));
        using var sgd = optim.SGD([p], 0.03, momentum: 0.9, weight_decay: 5e-4, nesterov: true);

        for (var step = 0; step < 6; step++)
        {
            var (gLr, gWd) = (Math.Sin(step + 1.0), Math.Cos(3.0 * step));
            learner.Step(gLr, gWd);
            p.grad = tensor(new[] { gLr, gWd }, ScalarType.Float64);
            sgd.step();

            var expected = p.detach().data<double>().ToArray();
            Assert.Equal(expected[0], learner.LearningRate, 14);
            Assert.Equal(expected[1], learner.WeightDecay, 14);
        }
    }

    [Fact]
    public void The_clamp_holds_at_both_bounds()
    {
        var learner = new HyperLearner(new HyperRange(0.001, 0.05), new HyperRange(1e-4, 1e-3), hyperLearningRate: 1.0);

        learner.Step(1e6, 1e6);
        Assert.Equal(0.001, learner.LearningRate);
        Assert.Equal(1e-4, learner.WeightDecay);

        learner.Step(-1e9, -1e9);
        Assert.Equal(0.05, learner.LearningRate);
        Assert.Equal(1e-3, learner.WeightDecay);
    }

    [Fact]
    public void RangeOfLast_spans_the_last_steps_of_the_trajectory_only()
    {
        var learner = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.1, momentum: 0);
        Assert.Null(learner.RangeOfLast(3));
        learner.Step(-1, 1); // η 0.5 → 0.6, λ 0.5 → 0.4 (plus the 5e-4 decay)
        learner.Restart(); // back to 0.5, 0.5
        learner.Step(1, -1); // 0.4, 0.6
        learner.Step(1, -1); // 0.3, 0.7
        var expected = learner.Trajectory.TakeLast(2).ToArray();
        var range = learner.RangeOfLast(2)!.Value;
        Assert.Equal(expected.Min(t => t.LearningRate), range.LearningRateMin);
        Assert.Equal(expected.Max(t => t.LearningRate), range.LearningRateMax);
        Assert.Equal(expected.Min(t => t.WeightDecay), range.WeightDecayMin);
        Assert.Equal(expected.Max(t => t.WeightDecay), range.WeightDecayMax);
        Assert.InRange(range.LearningRateMax, 0.39, 0.41); // the step before the restart is not in the last two
        Assert.Equal(learner.Trajectory.Max(t => t.LearningRate), learner.RangeOfLast(100)!.Value.LearningRateMax);
    }

    [Fact]
    public void Restart_returns_the_midpoints_and_clears_the_momentum()
    {
        var learner = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.1);
        learner.Step(1.0, -2.0);
        learner.Step(0.5, 1.0);

        learner.Restart();

        Assert.Equal((0.5, 0.5), (learner.LearningRate, learner.WeightDecay));
        Assert.Equal(3, learner.Trajectory.Count);
        Assert.Equal((0.5, 0.5), learner.Trajectory[2]);
        // With the momentum cleared, the next step is the first step of a fresh learner.
        learner.Step(1.0, -2.0);
        Assert.Equal(0.3099525, learner.LearningRate, 14);
        Assert.Equal(0.8799525, learner.WeightDecay, 14);
    }

    [Fact]
    public void Restart_can_keep_the_momentum_as_the_reference_does()
    {
        var learner = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.1);
        learner.Step(1.0, -2.0);
        learner.Step(0.5, 1.0);
        learner.Restart(clearMomentum: false);
        Assert.Equal((0.5, 0.5), (learner.LearningRate, learner.WeightDecay));
        learner.Step(1.0, -2.0);

        // torch.optim.SGD(nesterov, dampening 0, weight_decay 5e-4) by hand, the buffer carried over the restart
        double[] p = [0.5, 0.5];
        double[] buffer = [0, 0]; // a zero buffer's first update is d, as torch's first step sets it
        void Step(double[] g)
        {
            for (var i = 0; i < 2; i++)
            {
                var d = g[i] + (5e-4 * p[i]);
                buffer[i] = (0.9 * buffer[i]) + d;
                p[i] = Math.Clamp(p[i] - (0.1 * (d + (0.9 * buffer[i]))), 0, 1);
            }
        }
        Step([1.0, -2.0]);
        Step([0.5, 1.0]);
        p = [0.5, 0.5];
        Step([1.0, -2.0]);
        Assert.Equal(p[0], learner.LearningRate, 14);
        Assert.Equal(p[1], learner.WeightDecay, 14);
        Assert.NotEqual(0.3099525, learner.LearningRate, 6); // the step of a cleared momentum (the test above)
    }

    [Fact]
    public void A_zero_hyper_learning_rate_keeps_eta_and_lambda_fixed()
    {
        var learner = new HyperLearner(new HyperRange(0.001, 0.05), new HyperRange(1e-4, 1e-3), hyperLearningRate: 0);

        for (var step = 0; step < 5; step++)
        {
            learner.Step(123.0 * (step - 2), -7.0);
        }

        Assert.Equal(0.0255, learner.LearningRate, 15);
        Assert.Equal(5.5e-4, learner.WeightDecay, 15);
    }

    [Fact]
    public void Save_then_load_continues_like_the_uninterrupted_learner()
    {
        var uninterrupted = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.05);
        var first = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.05);
        for (var step = 0; step < 3; step++)
        {
            uninterrupted.Step(Math.Sin(step), Math.Cos(step));
            first.Step(Math.Sin(step), Math.Cos(step));
        }
        uninterrupted.HyperLearningRate = 0.07;
        first.HyperLearningRate = 0.07;
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.Save(writer);
        }
        stream.Position = 0;
        var resumed = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.5);
        using (var reader = new BinaryReader(stream))
        {
            resumed.Load(reader);
        }

        for (var step = 3; step < 6; step++)
        {
            uninterrupted.Step(Math.Sin(step), Math.Cos(step));
            resumed.Step(Math.Sin(step), Math.Cos(step));
        }

        Assert.Equal(uninterrupted.LearningRate, resumed.LearningRate);
        Assert.Equal(uninterrupted.WeightDecay, resumed.WeightDecay);
        Assert.Equal(0.07, resumed.HyperLearningRate);
        Assert.Equal(uninterrupted.Trajectory, resumed.Trajectory);
    }

    [Fact]
    public void A_non_finite_hypergradient_is_rejected()
    {
        var learner = new HyperLearner(new HyperRange(0, 1), new HyperRange(0, 1), hyperLearningRate: 0.1);

        Assert.Throws<ArgumentOutOfRangeException>(() => learner.Step(double.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => learner.Step(0, double.PositiveInfinity));
        Assert.Equal((0.5, 0.5), (learner.LearningRate, learner.WeightDecay));
        Assert.Empty(learner.Trajectory);
    }
}
