using Dha.Hpo;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Hpo;

public class HyperSgdTests
{
    [Fact]
    public void With_fixed_eta_and_lambda_the_step_matches_torch_optim_SGD_over_ten_steps()
    {
        using var scope = NewDisposeScope();
        using var ours = new TinyHpoNet(seed: 21);
        using var reference = new TinyHpoNet(seed: 0);
        reference.CopyFrom(ours);
        var learner = new HyperLearner(new HyperRange(0.02, 0.08), new HyperRange(0.01, 0.03), hyperLearningRate: 0);
        using var sgd = new HyperSgd(ours.Weights, momentum: 0.9, gradClip: 5.0);
        using var torchSgd = optim.SGD(reference.Weights, 0.05, momentum: 0.9, weight_decay: 0.02);
        var clipped = 0;

        for (var step = 0; step < 10; step++)
        {
            // A loss scale that varies with the step, so clipping triggers on some steps and not on others.
            var lossScale = step % 2 == 0 ? 30.0 : 1.0;
            var (x, y) = TinyHpoNet.Batch(seed: 100 + step);
            ours.Backward(x, y, lossScale);
            sgd.Step(learner.LearningRate, learner.WeightDecay);
            clipped += sgd.LastGradNorm > 5.0 ? 1 : 0;
            var (xv, yv) = TinyHpoNet.Batch(seed: 200 + step);
            ours.Backward(xv, yv);
            var (dEta, dLambda) = sgd.Hypergradient(learner.LearningRate);
            learner.Step(dEta, dLambda);

            reference.Backward(x, y, lossScale);
            var norm = nn.utils.clip_grad_norm_(reference.Weights.Where(w => w.grad is not null), 5.0);
            Assert.Equal(norm, sgd.LastGradNorm, 1e-12);
            torchSgd.step();

            Assert.Equal((0.05, 0.02), (learner.LearningRate, learner.WeightDecay));
            for (var i = 0; i < ours.Weights.Count; i++)
            {
                Assert.True(allclose(ours.Weights[i], reference.Weights[i], rtol: 1e-12, atol: 1e-14), $"step {step}, weight {i}");
            }
        }
        Assert.InRange(clipped, 1, 9);
    }

    [Fact]
    public void The_global_gradient_norm_is_clipped_to_the_limit_as_clip_grad_norm_does()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 8);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 5.0);
        var (x, y) = TinyHpoNet.Batch(seed: 9);
        var w0 = net.Snapshot();

        net.Backward(x, y, scale: 1000.0);
        var expectedNorm = nn.utils.clip_grad_norm_(net.Weights.Where(w => w.grad is not null), 5.0);
        var clippedGrads = net.Grads();
        net.Backward(x, y, scale: 1000.0);
        sgd.Step(0.1, 0.01);

        Assert.True(expectedNorm > 5.0);
        Assert.Equal(expectedNorm, sgd.LastGradNorm, 1e-12);
        var gradNorm = Math.Sqrt(net.Weights.Where(w => w.grad is not null).Sum(w => w.grad!.square().sum().ToDouble()));
        Assert.Equal(5.0, gradNorm, 1e-5);
        for (var i = 0; i < TinyHpoNet.UsedCount; i++)
        {
            var expected = w0[i] - 0.1 * (clippedGrads[i] + 0.01 * w0[i]);
            Assert.True(allclose(net.Weights[i], expected, rtol: 1e-13, atol: 1e-15), $"weight {i}");
        }
    }

    [Fact]
    public void Frozen_and_unused_parameters_do_not_change_and_get_no_velocity()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 3);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 5.0);
        var before = net.Snapshot();
        var (x, y) = TinyHpoNet.Batch(seed: 4);

        // bn.γ (2) is frozen before the backward (no grad); fc.b (5) is frozen after it (a stale grad it must ignore);
        // the unused layer (6, 7) never runs (grad null).
        net.Weights[2].requires_grad = false;
        net.Backward(x, y);
        net.Weights[5].requires_grad = false;
        Assert.NotNull(net.Weights[5].grad);
        var grads = net.Grads();
        sgd.Step(0.1, 0.01);

        Assert.Equal([0, 1, 3, 4], sgd.LastUpdated);
        var participatingNorm = Math.Sqrt(new[] { 0, 1, 3, 4 }.Sum(i => grads[i].square().sum().ToDouble()));
        Assert.Equal(participatingNorm, sgd.LastGradNorm, 1e-12);
        foreach (var i in new[] { 2, 5, 6, 7 })
        {
            Assert.True(Same(net.Weights[i], before[i]), $"weight {i} changed");
            Assert.Null(sgd.VelocityOf(i));
        }
        foreach (var i in new[] { 0, 1, 3, 4 })
        {
            Assert.False(Same(net.Weights[i], before[i]), $"weight {i} did not change");
            Assert.NotNull(sgd.VelocityOf(i));
        }
    }

    [Fact]
    public void A_weight_that_did_not_run_keeps_its_value_and_velocity_and_a_late_starter_begins_with_v_equal_d()
    {
        using var scope = NewDisposeScope();
        using var net = new TinyHpoNet(seed: 6);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 1e9);
        net.Weights[2].requires_grad = false;
        var (x1, y1) = TinyHpoNet.Batch(seed: 1);
        net.Backward(x1, y1);
        sgd.Step(0.1, 0.01);

        // Step 2: fc.w (4) did not run; bn.γ (2) is unfrozen and updated for the first time.
        net.Weights[2].requires_grad = true;
        var (x2, y2) = TinyHpoNet.Batch(seed: 2);
        net.Backward(x2, y2);
        net.Weights[4].grad = null;
        var fcWeight = net.Weights[4].detach().clone();
        var fcVelocity = sgd.VelocityOf(4)!.clone();
        var gamma = net.Weights[2].detach().clone();
        var gammaGrad = net.Weights[2].grad!.clone();
        sgd.Step(0.1, 0.01);

        Assert.True(Same(net.Weights[4], fcWeight));
        Assert.True(Same(sgd.VelocityOf(4)!, fcVelocity));
        var d = gammaGrad + 0.01 * gamma;
        Assert.True(allclose(sgd.VelocityOf(2)!, d, rtol: 1e-14, atol: 0));
        Assert.True(allclose(net.Weights[2], gamma - 0.1 * d, rtol: 1e-14, atol: 0));
    }

    [Fact]
    public void State_is_reused_in_place_so_live_tensors_stay_flat_across_steps()
    {
        using var net = new TinyHpoNet(seed: 12);
        using var sgd = new HyperSgd(net.Weights, momentum: 0.9, gradClip: 5.0);
        void FullStep(int step)
        {
            using var scope = NewDisposeScope();
            var (x, y) = TinyHpoNet.Batch(seed: step);
            net.Backward(x, y);
            sgd.Step(0.05, 0.001);
            var (xv, yv) = TinyHpoNet.Batch(seed: 1000 + step);
            net.Backward(xv, yv);
            sgd.Hypergradient(0.05);
        }

        FullStep(0);
        var velocity = sgd.VelocityOf(0);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var step = 1; step <= 5; step++)
        {
            FullStep(step);
        }

        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Same(velocity, sgd.VelocityOf(0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Save_then_load_of_both_learners_continues_exactly_like_the_uninterrupted_run(bool loadIntoUsedObjects)
    {
        using var scope = NewDisposeScope();
        static HyperLearner NewLearner(double hyperLearningRate) =>
            new(new HyperRange(0.001, 0.2), new HyperRange(0, 0.05), hyperLearningRate);
        static void Run(TinyHpoNet net, HyperSgd sgd, HyperLearner learner, int from, int to)
        {
            for (var step = from; step < to; step++)
            {
                using var inner = NewDisposeScope();
                // fc.b (5) sits out odd steps, so some velocities are absent or stale at the checkpoint.
                var (x, y) = TinyHpoNet.Batch(seed: 100 + step);
                net.Backward(x, y, scale: 10.0);
                if (step % 2 == 1)
                {
                    net.Weights[5].grad = null;
                }
                var eta = learner.LearningRate;
                sgd.Step(eta, learner.WeightDecay);
                var (xv, yv) = TinyHpoNet.Batch(seed: 200 + step);
                net.Backward(xv, yv);
                var (dEta, dLambda) = sgd.Hypergradient(eta);
                learner.Step(dEta, dLambda);
            }
        }

        using var uninterrupted = new TinyHpoNet(seed: 30);
        using var uninterruptedSgd = new HyperSgd(uninterrupted.Weights);
        var uninterruptedLearner = NewLearner(0.02);
        Run(uninterrupted, uninterruptedSgd, uninterruptedLearner, 0, 7);

        using var first = new TinyHpoNet(seed: 30);
        using var firstSgd = new HyperSgd(first.Weights);
        var firstLearner = NewLearner(0.02);
        Run(first, firstSgd, firstLearner, 0, 3);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            firstSgd.Save(writer);
            firstLearner.Save(writer);
        }

        // Either fresh objects, or objects that already hold state of their own (it must be overwritten, or dropped
        // where the checkpoint has none: the unused layer (6) gets a velocity here, the checkpoint has none for it).
        using var resumed = new TinyHpoNet(seed: 77);
        using var resumedSgd = new HyperSgd(resumed.Weights);
        var resumedLearner = NewLearner(0.9);
        if (loadIntoUsedObjects)
        {
            Run(resumed, resumedSgd, resumedLearner, 50, 52);
            resumed.Weights[6].grad = ones_like(resumed.Weights[6]);
            resumedSgd.Step(0.1, 0.01);
            Assert.NotNull(resumedSgd.VelocityOf(6));
        }
        resumed.CopyFrom(first);
        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
        {
            resumedSgd.Load(reader);
            resumedLearner.Load(reader);
        }
        Assert.Null(resumedSgd.VelocityOf(6));
        Run(resumed, resumedSgd, resumedLearner, 3, 7);

        Assert.NotEqual(0.1005, uninterruptedLearner.LearningRate); // η really moved away from the midpoint
        Assert.Equal(uninterruptedLearner.Trajectory, resumedLearner.Trajectory);
        for (var i = 0; i < uninterrupted.Weights.Count; i++)
        {
            Assert.True(Same(uninterrupted.Weights[i], resumed.Weights[i]), $"weight {i}");
        }
    }

    [Fact]
    public void Loading_a_state_for_another_network_is_rejected()
    {
        using var net = new TinyHpoNet(seed: 1);
        using var sgd = new HyperSgd(net.Weights);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            sgd.Save(writer);
        }
        using var other = new HyperSgd(net.Weights.Take(3).ToArray());
        stream.Position = 0;
        using var reader = new BinaryReader(stream);

        var error = Assert.Throws<InvalidInputException>(() => other.Load(reader));
        Assert.Contains("checkpoint", error.Message);
    }

    // Bitwise-equal values (same shape assumed).
    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().ToBoolean();
}
