using Dha.Augment;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class OpPairPolicyTests
{
    private const int Pairs = 196;

    [Fact]
    public void A_new_policy_is_uniform_with_maximal_entropy()
    {
        using var policy = new OpPairPolicy(0.02);
        Assert.All(policy.Probabilities(), p => Assert.Equal(1.0 / Pairs, p, 15));
        Assert.Equal(Math.Log(Pairs), policy.Entropy(), 12);
        Assert.All(policy.Theta(), t => Assert.Equal(1.0 / Pairs, t, 15));
    }

    [Fact]
    public void Closed_form_gradient_of_J_DA_equals_autograd_in_float64()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(5);
        var theta = Enumerable.Range(0, Pairs).Select(_ => rng.NextDouble() * 3 - 1.5).ToArray();
        const int batch = 40;
        var losses = Enumerable.Range(0, batch).Select(_ => 0.1 + 3 * rng.NextDouble()).ToArray();
        // Few distinct pairs, so some repeat.
        var pairs = Enumerable.Range(0, batch).Select(_ => (long)rng.Next(12) * 15).ToArray();

        var t = tensor(theta, ScalarType.Float64).requires_grad_(true);
        var p = nn.functional.softmax(t, 0);
        var j = (-tensor(losses, ScalarType.Float64) * p.index_select(0, tensor(pairs))).mean();
        j.backward();
        var autograd = t.grad!.data<double>().ToArray();

        var probabilities = nn.functional.softmax(tensor(theta, ScalarType.Float64), 0).data<double>().ToArray();
        var closedForm = PolicyGradient.Reference(probabilities, losses, pairs);
        Assert.True(autograd.Select(Math.Abs).Max() > 1e-4, "the test gradient should not be trivially small");
        for (var k = 0; k < Pairs; k++)
        {
            Assert.Equal(autograd[k], closedForm[k], 14);
        }
    }

    [Fact]
    public void Update_takes_the_same_steps_as_torch_SGD_with_Nesterov_on_the_autograd_gradient()
    {
        using var scope = NewDisposeScope();
        const double lr = 5.0, momentum = 0.9, decay = 5e-4;
        using var policy = new OpPairPolicy(lr, momentum, decay);
        var theta = new TorchSharp.Modules.Parameter(full(Pairs, 1.0 / Pairs, ScalarType.Float64));
        var sgd = optim.SGD([theta], lr, momentum: momentum, weight_decay: decay, nesterov: true);
        var rng = new Random(9);
        for (var step = 0; step < 4; step++)
        {
            var losses = Enumerable.Range(0, 16).Select(_ => rng.NextDouble() * 2).ToArray();
            var pairList = Enumerable.Range(0, 32).Select(_ => (long)rng.Next(14)).ToArray();
            policy.Update(tensor(losses.Select(v => (float)v).ToArray()), tensor(pairList, [16, 2]));

            sgd.zero_grad();
            var flat = tensor(Enumerable.Range(0, 16).Select(b => pairList[2 * b] * 14 + pairList[2 * b + 1]).ToArray());
            var lossTensor = tensor(losses.Select(v => (double)(float)v).ToArray(), ScalarType.Float64);
            var j = (-lossTensor * nn.functional.softmax(theta, 0).index_select(0, flat)).mean();
            j.backward();
            sgd.step();

            var expected = theta.detach().data<double>().ToArray();
            var actual = policy.Theta();
            for (var k = 0; k < Pairs; k++)
            {
                Assert.Equal(expected[k], actual[k], 13);
            }
        }
        Assert.NotEqual(1.0 / Pairs, policy.Theta()[0]);
    }

    [Fact]
    public void Update_moves_probability_toward_pairs_with_high_loss()
    {
        using var scope = NewDisposeScope();
        using var policy = new OpPairPolicy(20.0);
        // Pair (3, 5) always gives loss 4; pairs (0, 0) and (7, 2) give 0.5.
        var pairs = tensor(new long[] { 3, 5, 0, 0, 7, 2, 3, 5 }, [4, 2]);
        var losses = tensor(new float[] { 4, 0.5f, 0.5f, 4 });
        for (var i = 0; i < 5; i++)
        {
            policy.Update(losses, pairs);
        }
        var p = policy.Probabilities();
        var hard = p[3 * 14 + 5];
        Assert.True(hard > 1.0 / Pairs, $"p(3,5) = {hard} should have grown");
        Assert.True(p[0] < hard && p[7 * 14 + 2] < hard);
        Assert.Equal(3 * 14 + 5, Enumerable.Range(0, Pairs).MaxBy(k => p[k]));
        Assert.True(policy.Entropy() < Math.Log(Pairs));
    }

    [Fact]
    public void SampleMatrix_is_a_distribution_drawn_deterministically_from_the_rng()
    {
        using var policy = new OpPairPolicy(0.02);
        var a = policy.SampleMatrix(new Random(1));
        var b = policy.SampleMatrix(new Random(1));
        var c = policy.SampleMatrix(new Random(2));
        Assert.Equal(Pairs, a.Length);
        Assert.Equal(1.0, a.Sum(), 12);
        Assert.All(a, v => Assert.True(v > 0));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // Gumbel noise at τ = 2 perturbs the uniform policy: not all entries equal.
        Assert.True(a.Max() > 1.5 * a.Min());
    }

    [Fact]
    public void SampleMatrix_follows_p_on_average_at_temperature_1()
    {
        // With τ = 1 the Gumbel-max trick makes argmax(Π̃) a draw from p: a sanity check of the noise and of log p.
        using var scope = NewDisposeScope();
        using var policy = new OpPairPolicy(200.0, momentum: 0, weightDecay: 0, temperature: 1.0);
        policy.Update(tensor(new float[] { 5 }), tensor(new long[] { 2, 2 }, [1, 2]));
        var p = policy.Probabilities();
        var target = 2 * 14 + 2;
        Assert.InRange(p[target], 0.2, 0.9);
        var rng = new Random(3);
        var hits = 0;
        const int draws = 4000;
        for (var i = 0; i < draws; i++)
        {
            var m = policy.SampleMatrix(rng);
            if (Array.IndexOf(m, m.Max()) == target)
            {
                hits++;
            }
        }
        var sd = Math.Sqrt(p[target] * (1 - p[target]) / draws);
        Assert.InRange((double)hits / draws, p[target] - 4 * sd, p[target] + 4 * sd);
    }

    [Fact]
    public void Save_then_load_then_continue_gives_identical_theta()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(17);
        var batches = Enumerable.Range(0, 6).Select(_ => (
            Losses: tensor(Enumerable.Range(0, 8).Select(_ => (float)rng.NextDouble() * 3).ToArray()),
            Pairs: tensor(Enumerable.Range(0, 16).Select(_ => (long)rng.Next(14)).ToArray(), [8, 2]))).ToList();

        using var original = new OpPairPolicy(3.0);
        foreach (var (losses, pairs) in batches.Take(3))
        {
            original.Update(losses, pairs);
        }
        using var stream = new MemoryStream();
        original.Save(new BinaryWriter(stream));
        stream.Position = 0;
        using var restored = new OpPairPolicy(3.0);
        restored.Load(new BinaryReader(stream));
        Assert.Equal(original.Theta(), restored.Theta());

        // Momentum matters from here on: a restored θ without its momentum buffer would step differently.
        foreach (var (losses, pairs) in batches.Skip(3))
        {
            original.Update(losses, pairs);
            restored.Update(losses, pairs);
        }
        Assert.Equal(original.Theta(), restored.Theta());

    }

    [Fact]
    public void Load_rejects_a_stream_of_another_format()
    {
        using var stream = new MemoryStream();
        var writer = new BinaryWriter(stream);
        writer.Write(7);
        writer.Write(196);
        stream.Position = 0;
        using var policy = new OpPairPolicy(0.1);
        Assert.Throws<InvalidInputException>(() => policy.Load(new BinaryReader(stream)));
    }

    [Fact]
    public void Update_rejects_mismatched_shapes_and_out_of_range_ops()
    {
        using var scope = NewDisposeScope();
        using var policy = new OpPairPolicy(0.1);
        Assert.Throws<ArgumentException>(() => policy.Update(zeros(3), zeros(2, 2, ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => policy.Update(zeros(1), tensor(new long[] { 0, 14 }, [1, 2])));
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.LearningRate = -1);
    }
}
