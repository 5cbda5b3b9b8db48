using System.Text.Json.Nodes;
using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>Runs sized by a step or time budget, and the learning-rate schedules that follow the budget.</summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class BudgetRunTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _data;

    public BudgetRunTests()
    {
        _data = TinyRuns.Data(_folder); // 512 training images in batches of 32: a pass is 16 steps
    }

    public void Dispose() => _folder.Dispose();

    private string Run(string name) => Path.Combine(_folder.Path, name);

    [Fact]
    public void A_step_budget_run_cut_into_chunks_of_a_pass_resumes_to_the_uninterrupted_run()
    {
        // 40 steps: 16 search + 24 train, in epochs of 8 steps (half a pass), 2 + 3 of them
        var options = TinyRuns.Options(_data).WithOverrides(["train.steps=40", "train.search_fraction=0.4"]);
        var expected = SearchRun.Start(options, Run("straight"), null, CancellationToken.None);

        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, Run("resumed"), new CancelAfter(7, cancel), cancel.Token));
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Resume(Run("resumed"), new CancelAfter(15, cancel), cancel.Token));
        }
        var actual = SearchRun.Resume(Run("resumed"), null, CancellationToken.None);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Run("straight"), SearchRun.SummaryFile)))!;
        Assert.Equal((8, 2, 3, 40L), ((int)summary["steps_per_epoch"]!, (int)summary["planned_search_epochs"]!, (int)summary["planned_train_epochs"]!, (long)summary["steps"]!));
        Assert.Equal("40 steps, 0.4 of them searching", (string)summary["budget"]!);
        Assert.Equal(5, expected.Epochs);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(Weights(Run("straight")), Weights(Run("resumed")));
        Assert.Equal(TinyRuns.MetricsWithoutTime(Run("straight")), TinyRuns.MetricsWithoutTime(Run("resumed")));
    }

    [Fact]
    public void A_time_budget_becomes_steps_saved_in_the_config_and_a_resumed_run_equals_the_run_that_config_repeats()
    {
        var options = TinyRuns.Options(_data).WithOverrides(["train.time_budget=4"]);
        var resolved = new List<BudgetResolved>();
        using (var cancel = new CancellationTokenSource())
        {
            // stopped halfway through the steps the budget bought, however fast this machine is today (at least 2)
            var observer = new BudgetRecorder(resolved, cancel);
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, Run("timed"), observer, cancel.Token));
        }
        var saved = SearchOptions.FromFile(Path.Combine(Run("timed"), SearchRun.ConfigFile));
        var budget = Assert.Single(resolved);
        Assert.Equal((budget.Steps, 0.0), (saved.Train.Steps, saved.Train.TimeBudget));
        Assert.Equal(RunBudget.StepsForTime(4, budget.Speed, 0.4), budget.Steps);
        Assert.Equal(options with { Train = options.Train with { Steps = budget.Steps, TimeBudget = 0, BudgetImageSide = 0 } }, saved with { Data = saved.Data with { Path = _data } });

        SearchRun.Resume(Run("timed"), null, CancellationToken.None);
        SearchRun.Start(saved, Run("repeated"), null, CancellationToken.None);

        Assert.Equal(Weights(Run("repeated")), Weights(Run("timed")));
        Assert.Equal(TinyRuns.MetricsWithoutTime(Run("repeated")), TinyRuns.MetricsWithoutTime(Run("timed")));
    }

    [Fact]
    public void A_step_budget_stated_for_smaller_images_runs_fewer_steps_saved_in_the_config()
    {
        // 28x28 images against a budget stated for 14x14: a quarter of the 40 steps, and the saved config says 10
        var options = TinyRuns.Options(_data).WithOverrides(["train.steps=40", "train.budget_image_side=14"]);

        SearchRun.Start(options, Run("scaled"), null, CancellationToken.None);

        var saved = SearchOptions.FromFile(Path.Combine(Run("scaled"), SearchRun.ConfigFile));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Run("scaled"), SearchRun.SummaryFile)))!;
        Assert.Equal((10L, 0), (saved.Train.Steps, saved.Train.BudgetImageSide));
        Assert.Equal(10L, (long)summary["steps"]!);
    }

    [Fact]
    public void The_fixed_rate_modes_anneal_by_cosine_over_phase_b_steps()
    {
        var options = TinyRuns.Options(_data, "nas").WithOverrides(["train.retrain_epochs=2"]);
        SearchRun.Start(options, Run("nas"), null, CancellationToken.None);

        var rates = File.ReadAllLines(Path.Combine(Run("nas"), SearchRun.MetricsFile)).Select(l => (double)JsonNode.Parse(l)!["learning_rate"]!).ToArray();
        // after each epoch: constant 0.025 while searching; then halfway through phase B the mean of 0.025 and 0.001, then the floor
        Assert.Equal([0.025, 0.025, 0.013, 0.001], rates.Select(r => Math.Round(r, 12)));
    }

    [Fact]
    public void The_cosine_envelope_multiplies_the_learned_rate_and_ends_phase_b_at_its_floor()
    {
        using var data = DatasetLocator.Load(_data);
        var options = TinyRuns.Options(_data).WithOverrides(["hpo.envelope=cosine", "hpo.envelope_floor=0.05"]);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var learned = new List<(double Rate, double Used)>();
        trainer.Train(new EpochEnd(() => learned.Add((trainer.Hyper.LearningRate, trainer.HyperParameters.LearningRate))), CancellationToken.None);

        // two search epochs at η as learned, one train epoch ending at η · 0.05
        Assert.Equal(3, learned.Count);
        Assert.All(learned.Take(2), l => Assert.Equal(l.Rate, l.Used));
        Assert.Equal(learned[2].Rate * 0.05, learned[2].Used, 15);
    }

    private static byte[] Weights(string run) => File.ReadAllBytes(Path.Combine(run, "model", "weights.bin"));

    /// <summary>Records the resolved budget and cancels the run after half of its steps.</summary>
    private sealed class BudgetRecorder(List<BudgetResolved> resolved, CancellationTokenSource cancel) : ISearchObserver
    {
        private long _seen;

        public void OnBudgetResolved(BudgetResolved budget) => resolved.Add(budget);

        public void OnStepCompleted(StepMetrics metrics)
        {
            if (++_seen == resolved[0].Steps / 2)
            {
                cancel.Cancel();
            }
        }
    }

    private sealed class EpochEnd(Action report) : ISearchObserver
    {
        public void OnEpochCompleted(EpochMetrics metrics) => report();
    }
}
