using System.Text.Json.Nodes;
using Dha.Search;
using Dha.Tests.Search;

namespace Dha.Tests.Cli;

/// <summary><c>dha search --time</c>: one line says what the time became, and the run's config keeps the step count.</summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class TimeBudgetTests
{
    [Fact]
    public void A_time_budget_prints_the_steps_it_became_and_saves_them_as_the_step_budget()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.Data(folder, 256, 32);
        var run = Path.Combine(folder.Path, "run");

        var result = DhaTool.Run("search", "--data", data, "--out", run, "--time", "3s",
            "--set", "threads=1", "--set", "data.batch_size=32", "--set", "network.channels=4", "--set", "network.layers=3");

        Assert.True(result.ExitCode == 0, result.Error);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.ConfigFile)))!["train"]!;
        var steps = (long)config["steps"]!;
        Assert.Equal(0.0, (double)config["time_budget"]!);
        Assert.Equal($"dha search → {run}", result.OutputLines[0]);
        Assert.StartsWith($"time budget 3s → {steps} steps (measured ", result.OutputLines[1]);
        Assert.EndsWith("; saved as train.steps)", result.OutputLines[1]);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        // 256 images in batches of 32: passes of 8 steps, each phase rounded to whole epochs
        Assert.Equal(RunBudget.ForSteps(steps, 0.4, 8).TotalSteps, (long)summary["steps"]!);
    }
}
