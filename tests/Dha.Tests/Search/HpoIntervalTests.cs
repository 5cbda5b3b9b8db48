using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>
/// <c>hpo.interval</c> = k: η and λ take a hyper step after every k-th training step only (step s with s mod k = 0),
/// and stay put in between; k = 1 moves them after every step.
/// </summary>
[Collection("EndToEnd")]
public class HpoIntervalTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void The_learned_rates_move_only_after_every_kth_step(int interval)
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 512, 32);
        using var data = DatasetLocator.Load(directory);
        var options = TinyRuns.Options(directory) with { Train = TinyRuns.Options(directory).Train with { SearchEpochs = 1, RetrainEpochs = 0 } };
        options = options with { Hpo = options.Hpo with { Interval = interval } };
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var recorder = new Recorder();

        trainer.Train(recorder, CancellationToken.None, () => { });

        // in phase A the envelope is 1, so a step's reported rate is η as learned after that step
        var search = recorder.Steps.Where(s => s.Phase == SearchPhase.Search).ToList();
        Assert.True(search.Count > 2 * interval, $"{search.Count} search steps");
        for (var i = 1; i < search.Count; i++)
        {
            var hyperStep = (search[i].Step - 1) % interval == 0; // Step counts from 1 after the step
            var moved = search[i].LearningRate != search[i - 1].LearningRate || search[i].WeightDecay != search[i - 1].WeightDecay;
            Assert.True(hyperStep == moved, $"step {search[i].Step}: hyper step {hyperStep}, moved {moved}");
        }
    }

    private sealed class Recorder : ISearchObserver
    {
        public List<StepMetrics> Steps { get; } = [];

        public void OnStepCompleted(StepMetrics metrics) => Steps.Add(metrics);
    }
}
