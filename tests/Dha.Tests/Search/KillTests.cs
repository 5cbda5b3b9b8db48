using System.Diagnostics;
using System.Text.Json.Nodes;
using Dha.Search;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
public class KillTests
{
    [Fact]
    public void A_search_process_killed_without_warning_resumes_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        var data = TinyRuns.Data(folder);
        var settings = new[] { "threads=1", "data.batch_size=32", "data.val_ratio=0.1", "network.channels=4", "network.layers=3", "train.search_epochs=2", "train.retrain_epochs=1", "train.checkpoint_steps=3" };

        // the same run, uninterrupted, in this process
        var straight = Path.Combine(folder.Path, "straight");
        var options = Presets.Get("small").WithOverrides(settings) with { Data = Presets.Get("small").Data with { Path = data, BatchSize = 32, ValRatio = 0.1 } };
        var expected = SearchRun.Start(options, straight, null, CancellationToken.None);

        // a separate dha process, killed (SIGKILL: no chance to save anything) once it has checkpointed mid-epoch
        var killed = Path.Combine(folder.Path, "killed");
        var cli = Path.Combine(AppContext.BaseDirectory, "Dha.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "search", "--quiet", "--data", data, "--out", killed }.Concat(settings.SelectMany(s => new[] { "--set", s })))
        {
            start.ArgumentList.Add(arg);
        }
        using (var process = Process.Start(start)!)
        {
            var checkpoint = Path.Combine(killed, SearchRun.CheckpointFile);
            var watch = Stopwatch.StartNew();
            DateTime? first = null;
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (File.Exists(checkpoint))
                {
                    var written = File.GetLastWriteTimeUtc(checkpoint);
                    first ??= written;
                    if (written > first.Value.AddMilliseconds(1))
                    {
                        break; // at least one checkpoint after the one written at the start
                    }
                }
                Thread.Sleep(20);
            }
            Assert.False(process.HasExited, $"the search ended before it could be killed: {process.StandardError.ReadToEnd()}");
            Thread.Sleep(300); // somewhere inside the following steps
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.False(File.Exists(Path.Combine(killed, SearchRun.SummaryFile)));

        var actual = SearchRun.Resume(killed, null, CancellationToken.None);

        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model", "weights.bin")), File.ReadAllBytes(Path.Combine(killed, "model", "weights.bin")));
        Assert.Equal(MetricsWithoutTime(straight), MetricsWithoutTime(killed));
    }

    private static string[] MetricsWithoutTime(string run) =>
        [.. File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l =>
        {
            var o = JsonNode.Parse(l)!.AsObject();
            o.Remove("seconds");
            return o.ToJsonString();
        })];
}
