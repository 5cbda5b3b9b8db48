using System.Diagnostics;
using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>The step profile of the benchmark: its parts add up to at most the steps' wall time, and the validation parts are timed only in the modes that run a validation pass.</summary>
[Collection("EndToEnd")]
public class StepTimingsTests
{
    [Theory]
    [InlineData("dha", true)]
    [InlineData("nas", false)]
    public void The_parts_of_a_step_are_timed_where_they_run(string mode, bool validates)
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 128, 32);
        using var data = DatasetLocator.Load(directory);
        var options = TinyRuns.Options(directory, mode);
        options = options with { Train = options.Train with { SearchEpochs = 1, RetrainEpochs = 0 } };
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var timings = new StepTimings();
        trainer.Timings = timings;

        var watch = Stopwatch.StartNew();
        trainer.Train(new NoObserver(), CancellationToken.None, () => { });
        var wall = watch.Elapsed.TotalSeconds;

        Assert.Equal(trainer.StepsPerEpoch, timings.Steps);
        Assert.All(timings.Seconds, s => Assert.True(s >= 0));
        Assert.True(timings.Seconds.Sum() <= wall, $"parts {timings.Seconds.Sum()} s, wall {wall} s");
        var part = StepTimings.Parts.ToList();
        Assert.True(timings.Seconds[part.IndexOf("train forward")] > 0);
        Assert.True(timings.Seconds[part.IndexOf("train backward")] > 0);
        Assert.Equal(validates, timings.Seconds[part.IndexOf("validation forward")] > 0);
        Assert.Equal(validates, timings.Seconds[part.IndexOf("validation backward")] > 0);
    }

    private sealed class NoObserver : ISearchObserver;
}
