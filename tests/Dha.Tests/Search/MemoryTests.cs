using System.Text.Json.Nodes;
using Dha.Search;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
[EndToEnd]
public class MemoryTests
{
    /// <summary>
    /// The criterion, measured where nothing else shares the process: a dha process's resident memory at the
    /// end of a run (after export and the final evaluation) is within 10 % of its memory after the first epoch.
    /// A leak of one activation-sized tensor per step would add about 15 % over these 6 epochs. Also with the steps in
    /// two parts, whose threads make tensors outside the trainer's dispose scope.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Resident_memory_at_the_end_is_within_ten_percent_of_after_the_first_epoch(int replicas)
    {
        using var folder = new TempFolder();
        var data = TinyRuns.Data(folder, 512, 64);
        var run = Path.Combine(folder.Path, "run");
        Assert.Equal(0, TinyRuns.StartSearchProcess(data, run, TinyRuns.With("train.retrain_epochs=4", $"replicas={replicas}")).WaitForExitCode());
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        var afterFirst = (double)summary["rss_after_first_epoch_mib"]!;
        var atEnd = (double)summary["rss_end_mib"]!;
        Assert.True(afterFirst > 0 && atEnd > 0, "no RSS figures");
        Assert.True(atEnd <= afterFirst * 1.10, $"RSS grew from {afterFirst:F0} MiB after the first epoch to {atEnd:F0} MiB at the end");
    }
}
