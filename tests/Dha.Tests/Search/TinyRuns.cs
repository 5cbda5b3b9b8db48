using System.Diagnostics;
using System.Text.Json.Nodes;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>End-to-end runs that take seconds: 512 real images, C=4, 3 cells, one thread.</summary>
internal static class TinyRuns
{
    /// <summary>
    /// The settings of every tiny run, as <c>key=value</c> overrides of the small preset: one thread, batches of 32,
    /// C=4, 3 cells, sized by epochs (no step budget): 2 search epochs and 1 training epoch. A test that needs other
    /// values appends them (<see cref="With"/>); the last assignment of a key wins.
    /// </summary>
    public static readonly string[] Settings =
    [
        "threads=1",
        "data.batch_size=32",
        "network.channels=4",
        "network.layers=3",
        "train.steps=0",
        "train.search_epochs=2",
        "train.retrain_epochs=1",
    ];

    /// <summary><see cref="Settings"/> followed by <paramref name="overrides"/>.</summary>
    public static string[] With(params string[] overrides) => [.. Settings, .. overrides];

    /// <summary><see cref="Settings"/> (then <paramref name="overrides"/>) as <c>--set</c> options of <c>dha search</c>.</summary>
    public static string[] AsSetOptions(params string[] overrides) => [.. With(overrides).SelectMany(s => new[] { "--set", s })];

    /// <summary>
    /// The options of a tiny run on <paramref name="dataDirectory"/>, with a checkpoint every 5 steps. Its learners'
    /// rates are per step: stated for the small preset's 1,000-step run, they would be scaled ~20× in these ~50 steps,
    /// and the policy's per-step noise with them.
    /// </summary>
    public static SearchOptions Options(string dataDirectory, string mode = "dha")
    {
        var options = Presets.Get("small").WithOverrides(
            [$"mode={mode}", .. With("data.val_ratio=0.1", "train.checkpoint_steps=5", "hpo.hyper_learning_rate=1e-4", "hpo.rate_run_steps=0", "da.rate_run_steps=0")]);
        return options with { Data = options.Data with { Path = dataDirectory } };
    }

    public static string Data(TempFolder folder, int train = 512, int test = 128) =>
        TinyData.Create(Path.Combine(folder.Path, "data"), train, test);

    /// <summary>Every metrics.jsonl line of a run without its wall-clock seconds: what two equal runs share.</summary>
    public static string[] MetricsWithoutTime(string run) =>
        [.. File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l =>
        {
            var o = JsonNode.Parse(l)!.AsObject();
            o.Remove("seconds");
            return o.ToJsonString();
        })];

    /// <summary>Starts <c>dha search --quiet</c> as a separate process, its output drained so it never blocks.</summary>
    public static Process StartSearchProcess(string data, string output, IEnumerable<string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Dha.Cli.dll"), "search", "--quiet", "--data", data, "--out", output }
            .Concat(settings.SelectMany(s => new[] { "--set", s })))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}

/// <summary>Cancels the run after a given number of steps, as a kill would stop it.</summary>
internal sealed class CancelAfter(int steps, CancellationTokenSource source) : ISearchObserver
{
    private int _seen;

    public void OnStepCompleted(StepMetrics metrics)
    {
        if (++_seen == steps)
        {
            source.Cancel();
        }
    }
}

/// <summary>Waits for a process and gives its exit code, disposing it.</summary>
internal static class ProcessExtensions
{
    public static int WaitForExitCode(this Process process)
    {
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}

[CollectionDefinition("EndToEnd", DisableParallelization = true)]
public sealed class EndToEndCollection;
