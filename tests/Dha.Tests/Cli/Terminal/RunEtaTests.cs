using Dha.Cli.Terminal;
using Dha.Search;
using Microsoft.Extensions.Time.Testing;

namespace Dha.Tests.Cli.Terminal;

/// <summary>
/// The remaining time against a simulated run whose costs are known: a search step takes 1 s, a training step 0.5 s,
/// each epoch end (validation, checkpoint) 3 s. The truth at any step is the simulated end time less the clock.
/// </summary>
public sealed class RunEtaTests
{
    private const int StepsPerEpoch = 10;
    private static readonly TimeSpan SearchStep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TrainStep = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan EpochEnd = TimeSpan.FromSeconds(3);

    private static RunInfo Info(int maxEpochs, int searchEpochs, bool spare, int startEpoch = 0, int startStep = 0) =>
        new(StepsPerEpoch, maxEpochs, startEpoch, startStep, startEpoch < searchEpochs ? SearchPhase.Search : SearchPhase.Train, "data", 100, 10, 10,
            1000, 8, startEpoch > 0 || startStep > 0, searchEpochs, spare);

    private static StepMetrics Step(SearchPhase phase, int epoch, int step) => new(phase, epoch, step, StepsPerEpoch, 1, 0.5, 0.1, 3e-4, 0, 0);

    /// <summary>What the estimate said at each step, and the truth.</summary>
    private sealed record Sample(SearchPhase Phase, int Epoch, int Step, double? Estimate, double Truth, long Done, long Total);

    /// <summary>
    /// Runs <paramref name="searchEpochs"/> search epochs then training epochs up to <paramref name="epochs"/>, from
    /// where <paramref name="info"/> starts, the first step after the start taking
    /// <paramref name="firstStep"/> (loading); samples the estimate at every step.
    /// </summary>
    private static List<Sample> Simulate(RunInfo info, int searchEpochs, int epochs, TimeSpan firstStep)
    {
        var clock = new FakeTimeProvider();
        var eta = new RunEta(clock);
        eta.Start(info);
        var seen = new List<(SearchPhase Phase, int Epoch, int Step, double? Estimate, DateTimeOffset At, long Done, long Total)>();
        var first = true;
        for (var epoch = info.StartEpoch; epoch < epochs; epoch++)
        {
            var phase = epoch < searchEpochs ? SearchPhase.Search : SearchPhase.Train;
            for (var step = epoch == info.StartEpoch ? info.StartStep + 1 : 1; step <= StepsPerEpoch; step++)
            {
                clock.Advance(first ? firstStep : phase == SearchPhase.Search ? SearchStep : TrainStep);
                first = false;
                eta.Step(Step(phase, epoch, step));
                seen.Add((phase, epoch, step, eta.Remaining?.TotalSeconds, clock.GetUtcNow(), eta.Done, eta.Total));
            }
            clock.Advance(EpochEnd);
            eta.EpochEnded();
            if (epoch == searchEpochs - 1)
            {
                eta.SearchEnded();
            }
        }
        var end = clock.GetUtcNow();
        return [.. seen.Select(s => new Sample(s.Phase, s.Epoch, s.Step, s.Estimate, (end - s.At).TotalSeconds, s.Done, s.Total))];
    }

    [Fact]
    public void Once_each_phase_and_an_epoch_end_are_timed_the_estimate_is_the_time_left()
    {
        var samples = Simulate(Info(4, 2, spare: true), searchEpochs: 2, epochs: 4, SearchStep);

        Assert.Null(samples[0].Estimate); // one step: no interval timed yet
        // searching, from the second epoch's first step on (an epoch end has been timed): the training steps are
        // priced as search steps, so the estimate is over by exactly their difference, and no more
        var overpriced = 20 * (SearchStep - TrainStep).TotalSeconds;
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Search && s.Epoch >= 1), s => Assert.Equal(s.Truth + overpriced, s.Estimate!.Value, 9));
        // training, once two of its steps have been timed: exact
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Train && !(s.Epoch == 2 && s.Step == 1)), s => Assert.Equal(s.Truth, s.Estimate!.Value, 9));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), samples.Select(s => s.Done));
        Assert.All(samples, s => Assert.Equal(40, s.Total));
    }

    [Fact]
    public void A_resumed_run_counts_its_earlier_steps_as_done_but_not_in_the_rate_nor_its_loading_time()
    {
        // resumed at epoch 2 (of 3 search + 2 training), step 5; its first step takes 30 s of loading
        var samples = Simulate(Info(5, 3, spare: true, startEpoch: 1, startStep: 5), searchEpochs: 3, epochs: 5, TimeSpan.FromSeconds(30));

        Assert.Equal(16, samples[0].Done);
        Assert.Equal(50, samples[0].Total);
        Assert.Null(samples[0].Estimate);
        // until an epoch end is timed, the estimate is the steps alone; no trace of the 30 s
        foreach (var s in samples.Where(s => s.Epoch == 1 && s.Step >= 7))
        {
            var stepsLeft = (30 - 10 * s.Epoch - s.Step) * SearchStep.TotalSeconds + 20 * SearchStep.TotalSeconds;
            Assert.Equal(stepsLeft, s.Estimate!.Value, 9);
        }
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Search && s.Epoch >= 2),
            s => Assert.Equal(s.Truth + 20 * (SearchStep - TrainStep).TotalSeconds, s.Estimate!.Value, 9));
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Train && !(s.Epoch == 3 && s.Step == 1)), s => Assert.Equal(s.Truth, s.Estimate!.Value, 9));
    }

    [Fact]
    public void The_estimate_counts_down_between_steps()
    {
        var clock = new FakeTimeProvider();
        var eta = new RunEta(clock);
        eta.Start(Info(2, 1, spare: true));
        for (var step = 1; step <= 3; step++)
        {
            clock.Advance(SearchStep);
            eta.Step(Step(SearchPhase.Search, 0, step));
        }
        var before = eta.Remaining!.Value;

        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(before - TimeSpan.FromSeconds(2), eta.Remaining!.Value);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(TimeSpan.Zero, eta.Remaining!.Value);
    }

    [Theory]
    [InlineData(true, 7)] // a step budget: the search's unused epochs train
    [InlineData(false, 4)] // sized by epochs: the run is shorter
    public void A_search_that_ends_before_its_cap_replans_the_run(bool spare, int epochs)
    {
        var samples = Simulate(Info(7, 5, spare), searchEpochs: 2, epochs: epochs, SearchStep);

        Assert.Equal(70, samples[0].Total);
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Train), s => Assert.Equal(epochs * StepsPerEpoch, s.Total));
        Assert.All(samples.Where(s => s.Phase == SearchPhase.Train && !(s.Epoch == 2 && s.Step == 1)), s => Assert.Equal(s.Truth, s.Estimate!.Value, 9));
    }
}
