using System.Diagnostics;
using Dha.Search;
using Dha.Tests.TensorBoard;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
[EndToEnd]
public class KillTests
{
    [Fact]
    public void A_search_process_killed_without_warning_resumes_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.Data(folder, 1024, 128);
        var settings = TinyRuns.With("train.retrain_epochs=2", "train.checkpoint_steps=3");
        var straight = Path.Combine(folder.Path, "straight");
        var killed = Path.Combine(folder.Path, "killed");

        // the uninterrupted run, and the same run in a process killed (SIGKILL: no chance to save anything) as soon
        // as its first epoch is reported, so the kill lands early in the second epoch, wherever the process is
        Assert.Equal(0, TinyRuns.StartSearchProcess(data, straight, settings).WaitForExitCode());
        using (var process = TinyRuns.StartSearchProcess(data, killed, settings))
        {
            var metrics = Path.Combine(killed, SearchRun.MetricsFile);
            var watch = Stopwatch.StartNew();
            while (!process.WaitForExit(5) && watch.Elapsed < TimeSpan.FromMinutes(3) && Lines(metrics) == 0)
            {
            }
            Assert.False(process.HasExited, "the search ended before it could be killed");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, SearchRun.SummaryFile)));

        SearchRun.Resume(killed, null, CancellationToken.None);

        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model", "weights.bin")), File.ReadAllBytes(Path.Combine(killed, "model", "weights.bin")));
        Assert.Equal(TinyRuns.MetricsWithoutTime(straight), TinyRuns.MetricsWithoutTime(killed));
        // the killed session's event file, cut back to its checkpoint, and the resumed one's hold each step once
        Assert.Equal(EventFileReader.ScalarsWithoutTime(straight), EventFileReader.ScalarsWithoutTime(killed));
    }

    private static int Lines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
