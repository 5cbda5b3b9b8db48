using System.Globalization;
using System.Text.Json.Nodes;
using Dha.Data;
using Dha.Nas;
using Dha.Optimisers;
using Dha.Search;
using Dha.Tests.Cli;
using static TorchSharp.torch;

namespace Dha.Tests.Search;

/// <summary>
/// Two-stage ISTA (<c>ista-two-stage</c> and its <c>+da</c>, <c>+hpo</c>, <c>+da+hpo</c> retrainings): the search
/// steps the codes on the validation loss, then the genotype is retrained from fresh weights, learning the policy
/// and η, λ only where the mode says so.
/// </summary>
[Collection("EndToEnd")]
public sealed class TwoStageTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _data;

    public TwoStageTests()
    {
        _data = TinyRuns.Data(_folder);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_code_gradient_is_that_of_the_validation_loss_not_of_the_training_loss()
    {
        using var data = DatasetLocator.Load(_data);
        using var trainer = TrainerBuilder.Build(TinyRuns.Options(_data, "ista-two-stage"), data.Train, data.Test, "in memory");
        using var validation = FirstBatch(trainer.ValidationLoader);
        using var training = FirstBatch(new BatchLoader(trainer.Splits.Train, 32, 1, "test", shuffle: false, trainer.Mean, trainer.Std));

        trainer.ValidationCodeGradient(validation);
        var actual = trainer.Encoder.Codes().Select(z => z.grad!.to(ScalarType.Float64).data<double>().ToArray()).ToArray();

        var expected = Gradients(trainer, (logits, _) => nn.functional.cross_entropy(logits, validation.Labels), validation.Images);
        var onTraining = Gradients(trainer, (logits, aux) => TrainingLoss.Of(logits, aux, training.Labels, trainer.Options, nn.Reduction.Mean), training.Images);
        var scale = expected.SelectMany(g => g).Max(Math.Abs);
        Assert.True(scale > 0, "the validation loss has no gradient in z");
        for (var node = 0; node < expected.Length; node++)
        {
            for (var i = 0; i < expected[node].Length; i++)
            {
                Assert.True(Math.Abs(actual[node][i] - expected[node][i]) <= 1e-5 * scale, $"code {node}[{i}]: {actual[node][i]} against autograd's {expected[node][i]}");
            }
        }
        var apart = actual.Zip(onTraining).Max(p => p.First.Zip(p.Second).Max(q => Math.Abs(q.First - q.Second)));
        Assert.True(apart > 0.01 * scale, $"the code gradient is within {apart} of the training loss's");
    }

    [Fact]
    public void A_search_step_moves_the_codes_by_one_adam_step_on_the_validation_gradient()
    {
        using var data = DatasetLocator.Load(_data);
        using var trainer = TrainerBuilder.Build(TinyRuns.Options(_data, "ista-two-stage"), data.Train, data.Test, "in memory");
        var before = Codes(trainer);
        double[][] gradient;
        using (var validation = FirstBatch(trainer.ValidationLoader))
        {
            // the first step sees the stream's first validation batch, at the initial weights (BN in batch-statistics mode)
            gradient = Gradients(trainer, (logits, _) => nn.functional.cross_entropy(logits, validation.Labels), validation.Images);
        }

        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Train(new CancelAfter(1, cancel), cancel.Token, () => { }));
        }

        var after = Codes(trainer);
        var settings = trainer.Encoder.Settings;
        for (var node = 0; node < before.Length; node++)
        {
            var expected = (double[])before[node].Clone();
            Adam.Step(expected, gradient[node], new double[expected.Length], new double[expected.Length], 1, settings.LearningRate, settings.Beta1, settings.Beta2, settings.WeightDecay);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(after[node][i] - expected[i]) <= 1e-3 * settings.LearningRate,
                    $"code {node}[{i}]: {after[node][i]}, expected {expected[i]} (from {before[node][i]})");
            }
        }
    }

    [Theory]
    [EndToEnd]
    [InlineData("ista-two-stage", false, false)]
    [InlineData("ista-two-stage+da", true, false)]
    [InlineData("ista-two-stage+hpo", false, true)]
    [InlineData("ista-two-stage+da+hpo", true, true)]
    public void The_retraining_starts_from_fresh_weights_and_learns_only_what_its_mode_names(string mode, bool policy, bool hyper)
    {
        using var data = DatasetLocator.Load(_data);
        var options = TinyRuns.Options(_data, mode);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var theta = trainer.PolicyTheta;
        var (learningRate, weightDecay) = (trainer.Hyper.LearningRate, trainer.Hyper.WeightDecay);
        var watch = new Watch(trainer);

        trainer.Train(watch, CancellationToken.None, () => { });

        Assert.Equal(policy, theta is not null);
        Assert.Equal(2, watch.SearchEpochs.Count);
        // while searching, nothing learns but the codes and the weights
        Assert.All(watch.SearchEpochs, e =>
        {
            Assert.Equal(theta, e.Theta);
            Assert.Equal((learningRate, weightDecay), (e.LearningRate, e.WeightDecay));
        });
        // the switch: the weights a new network of the shape draws from the run's retrain seed, no velocities yet
        Assert.Equal(FreshWeights(trainer.Network.Shape, options.Seed), watch.WeightsAtSwitch);
        Assert.True(watch.NoVelocityAtSwitch);
        // the retraining: θ moves only with +da, η and λ only with +hpo
        Assert.Equal(policy, theta is not null && !theta.SequenceEqual(trainer.PolicyTheta!));
        Assert.Equal(hyper, trainer.Hyper.LearningRate != learningRate || trainer.Hyper.WeightDecay != weightDecay);
        // the fixed rate of the plain retrainings anneals by cosine to its floor over phase B
        if (!hyper)
        {
            Assert.Equal(options.Train.LearningRateMin, trainer.HyperParameters.LearningRate, 12);
        }
    }

    [Fact]
    [EndToEnd]
    public void A_tiny_run_writes_a_search_folder_whose_model_evaluate_scores_as_the_summary_says()
    {
        var run = Path.Combine(_folder.Path, "run");
        var result = DhaTool.Run(["search", "--mode", "ista-two-stage+da+hpo", "--data", _data, "--out", run, "--quiet", .. TinyRuns.AsSetOptions()]);
        Assert.True(result.ExitCode == 0, result.Error);

        foreach (var file in new[] { "config.json", "genotype.json", "policy.json", "history.jsonl", "checkpoint.bin", "model/model.json", "model/weights.bin" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        }
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        Assert.Equal("ista-two-stage+da+hpo", (string)summary["mode"]!);
        Assert.Equal(2, (int)summary["search_epochs"]!);
        Assert.Equal(["search", "search", "train"], File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l => (string)JsonNode.Parse(l)!["phase"]!));
        Assert.Equal((string)summary["genotype"]!, Genotype.FromJson(File.ReadAllText(Path.Combine(run, SearchRun.GenotypeFile))).ToString());

        var accuracy = (double)summary["final_test_accuracy"]!;
        var evaluation = DhaTool.Run("evaluate", run, "--data", _data);
        Assert.True(evaluation.ExitCode == 0, evaluation.Error);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:P2} on 128 test images"), evaluation.OutputLines[0]);
    }

    [Fact]
    [EndToEnd]
    public void A_run_killed_in_the_search_and_again_in_the_retraining_resumes_to_the_uninterrupted_result()
    {
        var options = TinyRuns.Options(_data, "ista-two-stage+da+hpo");
        var straight = Path.Combine(_folder.Path, "straight");
        var stopped = Path.Combine(_folder.Path, "stopped");
        var expected = SearchRun.Start(options, straight, null, CancellationToken.None);
        // about 15 steps per epoch: step 8 is in the first search epoch, step 38 in the retraining
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, stopped, new CancelAfter(8, cancel), cancel.Token));
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Resume(stopped, new CancelAfter(30, cancel), cancel.Token));
        }
        Assert.Equal(["search", "search"], File.ReadAllLines(Path.Combine(stopped, SearchRun.MetricsFile)).Select(l => (string)JsonNode.Parse(l)!["phase"]!));

        var actual = SearchRun.Resume(stopped, null, CancellationToken.None);

        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model", "weights.bin")), File.ReadAllBytes(Path.Combine(stopped, "model", "weights.bin")));
        Assert.Equal(TinyRuns.MetricsWithoutTime(straight), TinyRuns.MetricsWithoutTime(stopped));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, SearchRun.PolicyFile)), File.ReadAllText(Path.Combine(stopped, SearchRun.PolicyFile)));
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, SearchRun.HistoryFile)), File.ReadAllLines(Path.Combine(stopped, SearchRun.HistoryFile)));
    }

    [Theory]
    [InlineData("train.steps=100", "train.search_fraction=1", "train.search_fraction")]
    [InlineData("train.steps=0", "train.retrain_epochs=0", "train.retrain_epochs")]
    public void A_two_stage_run_without_steps_for_the_retraining_is_refused(string budget, string setting, string named)
    {
        var e = Assert.Throws<InvalidInputException>(() => TinyRuns.Options(_data, "ista-two-stage").WithOverrides([budget, setting]).Validate());
        Assert.StartsWith(named, e.Message);
        Assert.Contains("ista-two-stage", e.Message);
    }

    private static Batch FirstBatch(BatchLoader loader)
    {
        using var batches = loader.Endless().GetEnumerator();
        Assert.True(batches.MoveNext());
        return batches.Current;
    }

    private static double[][] Codes(DhaTrainer trainer) =>
        [.. trainer.Encoder.Codes().Select(z => z.detach().to(ScalarType.Float64).data<double>().ToArray())];

    /// <summary>Autograd's gradient in every code of a loss of the search network's outputs on <paramref name="images"/> (train mode).</summary>
    private static double[][] Gradients(DhaTrainer trainer, Func<Tensor, Tensor?, Tensor> loss, Tensor images)
    {
        using var scope = NewDisposeScope();
        trainer.Network.train();
        var codes = trainer.Encoder.Codes().ToArray();
        var (logits, aux) = trainer.Network.forward(images, trainer.Encoder.Project());
        var gradients = autograd.grad([loss(logits, aux)], codes);
        return [.. gradients.Select(g => g.to(ScalarType.Float64).data<double>().ToArray())];
    }

    private static float[] Flat(SearchNetwork network) =>
        [.. network.state_dict().Values.Where(t => t.is_floating_point()).SelectMany(t => t.to(ScalarType.Float32).data<float>().ToArray())];

    private static float[] FreshWeights(NetworkShape shape, int seed)
    {
        manual_seed(Seeds.For(seed, "retrain"));
        using var network = new SearchNetwork(shape);
        return Flat(network);
    }

    private sealed record SearchEpoch(double[]? Theta, double LearningRate, double WeightDecay);

    /// <summary>The learners after every search epoch, and the weights at the switch.</summary>
    private sealed class Watch(DhaTrainer trainer) : ISearchObserver
    {
        public List<SearchEpoch> SearchEpochs { get; } = [];

        public float[] WeightsAtSwitch { get; private set; } = [];

        public bool NoVelocityAtSwitch { get; private set; }

        public void OnEpochCompleted(EpochMetrics metrics)
        {
            if (metrics.Phase == "search")
            {
                SearchEpochs.Add(new SearchEpoch(trainer.PolicyTheta, trainer.Hyper.LearningRate, trainer.Hyper.WeightDecay));
            }
        }

        public void OnPhaseChanged(SearchPhase phase)
        {
            WeightsAtSwitch = Flat(trainer.Network);
            NoVelocityAtSwitch = Enumerable.Range(0, trainer.Network.parameters().Count()).All(i => trainer.Weights.VelocityOf(i) is null);
        }
    }
}
