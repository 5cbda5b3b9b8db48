using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class IstaEncoderTests
{
    private static readonly CellType[] Types = [CellType.Normal, CellType.Reduce];

    private static IEnumerable<(CellType Type, int Node)> AllNodes() =>
        Types.SelectMany(t => Enumerable.Range(0, 4).Select(n => (t, n)));

    /// <summary>A loss that depends on every projected scalar with distinct weights.</summary>
    private static Tensor SyntheticLoss(Architecture architecture, Func<CellType, int, bool>? include = null)
    {
        var loss = tensor(0.0);
        var k = 1;
        foreach (var (type, node) in AllNodes())
        {
            foreach (var entry in architecture.Support(type, node))
            {
                if (include is null || include(type, node))
                {
                    loss = loss + (entry.Scalar.to(ScalarType.Float64) * (k % 3 == 0 ? -k : k));
                }
                k++;
            }
        }
        return loss;
    }

    private static void TrainSteps(IstaEncoder encoder, int steps, Func<CellType, int, bool>? include = null)
    {
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            encoder.ZeroGrad();
            var loss = SyntheticLoss(encoder.Project(), include);
            if (loss.requires_grad)
            {
                loss.backward();
            }
            encoder.Step();
        }
    }

    private static double[][] CodeValues(IstaEncoder encoder) =>
        encoder.Codes().Select(z => z.detach().to(ScalarType.Float64).data<double>().ToArray()).ToArray();

    [Fact]
    public void Codes_and_matrices_come_from_the_seed()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var a = new IstaEncoder(new IstaSettings(), 5);
        random.manual_seed(99); // the global generator plays no part
        using var b = new IstaEncoder(new IstaSettings(), 5);
        using var c = new IstaEncoder(new IstaSettings(), 6);
        Assert.Equal(CodeValues(a), CodeValues(b));
        Assert.NotEqual(CodeValues(a), CodeValues(c));
        Assert.Equal(a.SensingMatrix(CellType.Reduce, 3), b.SensingMatrix(CellType.Reduce, 3));
        Assert.Equal(8, a.Codes().Count());
        Assert.All(a.Codes(), z => Assert.True(z.requires_grad && z.is_leaf && z.shape.SequenceEqual(new long[] { 7 })));
        var all = CodeValues(a).SelectMany(v => v).ToArray();
        Assert.InRange(Math.Sqrt(all.Average(v => v * v)), 3e-4, 3e-3); // 1e-3·N(0,1)
        foreach (var (type, node) in AllNodes())
        {
            var matrix = a.SensingMatrix(type, node);
            Assert.Equal(7, matrix.GetLength(0));
            Assert.Equal((node + 2) * 7, matrix.GetLength(1));
            Assert.All(matrix.Cast<double>(), v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Theory]
    [InlineData(false, false, SupportRule.AllOps)]
    [InlineData(true, true, SupportRule.Reference)]
    public void Projection_is_one_ista_step_from_the_last_x_on_its_support(bool normalise, bool intercept, SupportRule rule)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        var settings = new IstaSettings(NormaliseScalars: normalise, FitIntercept: intercept, Rule: rule);
        using var encoder = new IstaEncoder(settings, 12, ScalarType.Float64);
        TrainSteps(encoder, 3); // move z away from where x_last was recovered
        var architecture = encoder.Project();
        Assert.True(architecture.Matches(encoder.Genotype));
        var codes = CodeValues(encoder);
        foreach (var (type, node) in AllNodes())
        {
            var a = encoder.SensingMatrix(type, node);
            var x = encoder.LastX(type, node);
            var z = codes[((int)type * 4) + node];
            var support = architecture.Support(type, node);
            Assert.Equal(
                new LassoSolver(a, 1e-5, intercept).Solve(CodeValues(new IstaEncoder(settings, 12, ScalarType.Float64))[((int)type * 4) + node]),
                x);
            Assert.Equal(SupportSelection.Pick(x, rule), support.Select(e => new GenotypeEdge(e.Op, e.Input)));
            // alpha_S = x_S + A_Sᵀ(z − A x_S), the form of §4.3 that does not go through E = AᵀA − I.
            var idx = support.Select(e => (e.Input * 7) + (int)e.Op).ToArray();
            var residual = Enumerable.Range(0, 7).Select(i => z[i] - idx.Sum(j => a[i, j] * x[j])).ToArray();
            var alpha = idx.Select(j => x[j] + Enumerable.Range(0, 7).Sum(i => a[i, j] * residual[i])).ToArray();
            var norm = normalise ? alpha.Sum(Math.Abs) : 1.0;
            for (var s = 0; s < 2; s++)
            {
                Assert.Equal(alpha[s] / norm, support[s].Scalar.ToDouble(), 12);
                Assert.True(support[s].Scalar.requires_grad);
            }
        }
    }

    [Fact]
    public void A_node_whose_x_stops_moving_freezes_and_its_code_never_changes_again()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var encoder = new IstaEncoder(new IstaSettings(LearningRate: 0.05, NormaliseScalars: false), 21, ScalarType.Float64);
        var moving = (CellType.Normal, 0);
        Assert.Empty(encoder.BeginEpoch());

        // Epoch 1: only normal node 0 gets a gradient; the other codes stay put, so their x does not move.
        TrainSteps(encoder, 10, (t, n) => (t, n) == moving);
        var report = encoder.EndEpoch();
        Assert.True(report.Accepted);
        Assert.False(report.Skipped);
        Assert.Equal(7, report.FrozenCount);
        Assert.True(report.Nodes.Single(r => (r.Type, r.Node) == moving).Distance > 1e-3);
        Assert.All(report.Nodes.Where(r => (r.Type, r.Node) != moving), r => Assert.Equal(0.0, r.Distance));
        Assert.False(encoder.IsFrozen(CellType.Normal, 0));
        Assert.True(encoder.IsFrozen(CellType.Reduce, 3));

        // Frozen by the recovery but not yet by BeginEpoch: a gradient is present, Step must still skip the code.
        var before = CodeValues(encoder);
        TrainSteps(encoder, 3);
        var after = CodeValues(encoder);
        Assert.All(Enumerable.Range(1, 7), i => Assert.Equal(before[i], after[i]));
        Assert.NotEqual(before[0], after[0]);

        var newlyFrozen = encoder.BeginEpoch();
        Assert.Equal(AllNodes().Where(n => n != moving).ToHashSet(), newlyFrozen.ToHashSet());
        Assert.False(encoder.StopFlag);
        Assert.All(encoder.Codes().Skip(1), z => Assert.False(z.requires_grad));

        // Epoch 2: frozen codes are constants in the projection; even a gradient put on them by hand moves nothing.
        before = CodeValues(encoder);
        for (var s = 0; s < 3; s++)
        {
            using var step = NewDisposeScope();
            encoder.ZeroGrad();
            var architecture = encoder.Project();
            Assert.False(architecture.Support(CellType.Reduce, 1)[0].Scalar.requires_grad);
            SyntheticLoss(architecture).backward();
            foreach (var z in encoder.Codes().Skip(1))
            {
                z.grad = ones_like(z);
            }
            encoder.Step();
        }
        after = CodeValues(encoder);
        Assert.All(Enumerable.Range(1, 7), i => Assert.Equal(before[i], after[i]));
        Assert.NotEqual(before[0], after[0]);
        Assert.Equal(7, encoder.EndEpoch().FrozenCount); // normal 0 moved again

        // Epoch 3: no steps, so normal 0 freezes too; the stop flag rises at the start of the next epoch.
        Assert.Equal(8, encoder.EndEpoch().FrozenCount);
        Assert.False(encoder.StopFlag);
        Assert.Equal([moving], encoder.BeginEpoch());
        Assert.True(encoder.StopFlag);
        Assert.True(encoder.EndEpoch().Skipped);
        Assert.All(encoder.Codes(), z => Assert.False(z.requires_grad));
        Assert.True(encoder.Project().Matches(encoder.Genotype));
    }

    [Fact]
    public void A_rejected_x_changes_neither_x_nor_genotype_nor_freeze_flags()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        var limit = new IstaSettings(LearningRate: 0.05, ParamLimitMillions: 1e-3);
        using var encoder = new IstaEncoder(limit, 8);
        var genotype = encoder.Genotype;
        var x = encoder.LastX(CellType.Normal, 2);
        TrainSteps(encoder, 10, (t, n) => t == CellType.Normal); // reduce nodes stand still: they would freeze
        var report = encoder.EndEpoch();
        Assert.False(report.Accepted);
        Assert.Equal(0, report.FrozenCount);
        Assert.Equal(0, encoder.FrozenCount);
        Assert.Equal(genotype, encoder.Genotype);
        Assert.Equal(x, encoder.LastX(CellType.Normal, 2));
        Assert.NotNull(report.ParameterMillions);
        Assert.True(report.ParameterMillions > 1e-3);

        using var generous = new IstaEncoder(limit with { ParamLimitMillions = 50 }, 8);
        TrainSteps(generous, 10, (t, n) => t == CellType.Normal);
        var accepted = generous.EndEpoch();
        Assert.True(accepted.Accepted);
        Assert.Equal(4, accepted.FrozenCount);
        Assert.Equal(ParameterCounter.Count(NetworkShape.ParameterLimitReference, generous.Genotype) / 1e6, accepted.ParameterMillions!.Value, 9);
        using var unlimited = new IstaEncoder(new IstaSettings(), 8);
        Assert.Null(unlimited.EndEpoch().ParameterMillions);
    }

    [Fact]
    public void Adam_step_matches_the_pytorch_update_with_l2_decay()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        var settings = new IstaSettings(LearningRate: 0.01, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3);
        using var encoder = new IstaEncoder(settings, 4, ScalarType.Float64);
        var z0 = encoder.Codes().First();
        var p = z0.detach().clone();
        var m = zeros_like(p);
        var v = zeros_like(p);
        for (var t = 1; t <= 3; t++)
        {
            var g = full_like(p, 0.5 * t) + linspace(-1, 1, 7, ScalarType.Float64);
            z0.grad = g.clone();
            foreach (var other in encoder.Codes().Skip(1))
            {
                other.grad = null;
            }
            encoder.Step();
            // torch.optim.Adam(weight_decay=…): g ← g + λp; m, v moments; p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε).
            var d = g + (1e-3 * p);
            m = (0.5 * m) + (0.5 * d);
            v = (0.999 * v) + (0.001 * d * d);
            p = p - (0.01 / (1 - Math.Pow(0.5, t)) * m / ((v.sqrt() / Math.Sqrt(1 - Math.Pow(0.999, t))) + 1e-8));
            Assert.True(allclose(p, z0.detach(), 1e-12, 1e-14));
        }
        Assert.Equal(CodeValues(new IstaEncoder(settings, 4, ScalarType.Float64)).Skip(1), CodeValues(encoder).Skip(1)); // no grad, no update
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_frozen_code_drifts_under_adam_with_a_zero_gradient_only_in_the_reference(bool drift)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        var settings = new IstaSettings(DistLimit: 1e9, LearningRate: 0.01, Beta1: 0.5, Beta2: 0.999, WeightDecay: 1e-3, FrozenCodeDrift: drift);
        using var encoder = new IstaEncoder(settings, 4, ScalarType.Float64);
        encoder.BeginEpoch();
        var z0 = encoder.Codes().First();
        var p = z0.detach().clone();
        var g = linspace(-1, 1, 7, ScalarType.Float64);
        foreach (var z in encoder.Codes())
        {
            z.grad = g.clone();
        }
        encoder.Step();
        var d = g + (1e-3 * p);
        var m = 0.5 * d;
        var v = 0.001 * d * d;
        p = p - (0.01 / 0.5 * m / ((v.sqrt() / Math.Sqrt(0.001)) + 1e-8));
        Assert.True(allclose(p, z0.detach(), 1e-12, 1e-14));

        Assert.Equal(8, encoder.EndEpoch().FrozenCount); // every x is within the (huge) distance limit
        Assert.Equal(8, encoder.BeginEpoch().Count);
        encoder.ZeroGrad();
        encoder.Step();

        // the second Adam step with g = 0: only the L2 decay and the moments of the first step move z
        d = 1e-3 * p;
        m = (0.5 * m) + (0.5 * d);
        v = (0.999 * v) + (0.001 * d * d);
        var drifted = p - (0.01 / (1 - Math.Pow(0.5, 2)) * m / ((v.sqrt() / Math.Sqrt(1 - Math.Pow(0.999, 2))) + 1e-8));
        Assert.True(allclose(drift ? drifted : p, z0.detach(), 1e-12, 1e-14));
        Assert.False(allclose(drifted, p, 1e-6, 1e-9));
    }

    [Fact]
    public void A_restored_encoder_continues_exactly_like_the_original()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        var settings = new IstaSettings(LearningRate: 0.02, DistLimit: 0.05);
        using var original = new IstaEncoder(settings, 31);
        original.BeginEpoch();
        TrainSteps(original, 4, (t, n) => n < 2);
        original.EndEpoch();
        original.BeginEpoch();
        TrainSteps(original, 2);

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            original.Save(writer);
        }
        stream.Position = 0;
        using var restored = new IstaEncoder(settings, 777);
        using (var reader = new BinaryReader(stream))
        {
            restored.Load(reader);
        }

        Assert.Equal(original.Genotype, restored.Genotype);
        Assert.Equal(original.FrozenCount, restored.FrozenCount);
        Assert.True(original.FrozenCount > 0);
        foreach (var encoder in new[] { original, restored })
        {
            TrainSteps(encoder, 3);
            encoder.EndEpoch();
            encoder.BeginEpoch();
            TrainSteps(encoder, 2);
        }
        Assert.Equal(CodeValues(original), CodeValues(restored));
        Assert.Equal(original.Genotype, restored.Genotype);
        Assert.Equal(original.StopFlag, restored.StopFlag);
        foreach (var (type, node) in AllNodes())
        {
            Assert.Equal(original.IsFrozen(type, node), restored.IsFrozen(type, node));
            Assert.Equal(original.LastX(type, node), restored.LastX(type, node));
        }
        var a = original.Project();
        var b = restored.Project();
        foreach (var (type, node) in AllNodes())
        {
            Assert.Equal(a.Support(type, node).Select(e => e.Scalar.ToDouble()), b.Support(type, node).Select(e => e.Scalar.ToDouble()));
        }
    }

    [Fact]
    public void Loading_state_of_another_shape_is_reported_as_bad_input()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            using var encoder = new IstaEncoder(new IstaSettings(ProjectionDims: 5), 1);
            encoder.Save(writer);
        }
        stream.Position = 0;
        using var other = new IstaEncoder(new IstaSettings(), 1);
        using var reader = new BinaryReader(stream);
        Assert.Throws<InvalidInputException>(() => other.Load(reader));
    }
}
