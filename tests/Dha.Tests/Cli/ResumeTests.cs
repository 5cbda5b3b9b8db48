using Dha.Cli;
using Dha.Search;
using Dha.Tests.Search;
using Spectre.Console.Testing;

namespace Dha.Tests.Cli;

/// <summary><c>dha search --resume</c> finishes a stopped run; a stopped search says how to continue it.</summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class ResumeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _data;
    private readonly string _run;

    public ResumeTests()
    {
        _data = TinyData.Create(Path.Combine(_folder.Path, "data"), 96, 32);
        _run = Path.Combine(_folder.Path, "run");
    }

    public void Dispose() => _folder.Dispose();

    // 96 images in batches of 32: 3 steps per epoch, a checkpoint every 2
    private SearchOptions Options() =>
        TinyRuns.Options(_data).WithOverrides(["train.search_epochs=1", "train.retrain_epochs=1", "train.checkpoint_steps=2"]);

    private void StartAndCancelAfterTwoSteps()
    {
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => SearchRun.Start(Options(), _run, new CancelAfter(2, cancel), cancel.Token));
        Assert.True(File.Exists(Path.Combine(_run, SearchRun.CheckpointFile)));
        Assert.False(File.Exists(Path.Combine(_run, SearchRun.SummaryFile)));
    }

    [Fact]
    public void A_cancelled_run_resumed_quietly_from_another_folder_finishes_with_exit_0()
    {
        StartAndCancelAfterTwoSteps();
        var elsewhere = Directory.CreateDirectory(Path.Combine(_folder.Path, "elsewhere")).FullName;

        var result = DhaTool.RunIn(elsewhere, "search", "--resume", _run, "--quiet");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        Assert.True(File.Exists(Path.Combine(_run, SearchRun.SummaryFile)));
        Assert.True(File.Exists(Path.Combine(_run, "model", "weights.bin")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_run, SearchRun.MetricsFile)).Length);
        Assert.Equal(3, result.OutputLines.Length);
        Assert.StartsWith("test accuracy ", result.OutputLines[0]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public void Resuming_without_quiet_says_where_the_run_resumes()
    {
        StartAndCancelAfterTwoSteps();

        var result = DhaTool.Run("search", "--resume", _run);

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.OutputLines;
        Assert.Equal($"dha search → {_run}", lines[0]);
        Assert.Equal("resuming at epoch 1, step 2", lines[1]);
        Assert.StartsWith($"data {_data}: 96 train, ", lines[2]);
        var header = Assert.Single(lines, line => line.StartsWith("epoch ", StringComparison.Ordinal));
        var rows = lines.Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\s*\d+/2 ")).ToArray();
        Assert.Matches(@"^\s*1/2\s+search\s", rows[0]);
        Assert.Matches(@"^\s*2/2\s+train\s", rows[1]);
        // no line is wrapped: each epoch is one row with every column, however long
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Equal(header.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length));
        Assert.Contains("search ended at its cap of 1 epoch with 0/8 nodes frozen", lines);
        // the summary panel closes the output and names the model folder
        Assert.StartsWith("╰", lines[^1]);
        Assert.Contains(lines, line => line.StartsWith("│ model ", StringComparison.Ordinal) && line.Contains(Path.Combine(_run, "model"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_search_stopped_after_a_checkpoint_exits_130_and_names_the_resume_command_which_then_works()
    {
        var console = new TestConsole();
        console.Profile.Width = 4096;
        using var cancel = new CancellationTokenSource();
        using var finished = new CancellationTokenSource();
        // stop as Ctrl-C would, once the first checkpoint is on disk
        var watcher = Task.Run(async () =>
        {
            while (!File.Exists(Path.Combine(_run, SearchRun.CheckpointFile)) && !finished.IsCancellationRequested)
            {
                await Task.Delay(5);
            }
            cancel.Cancel();
        });

        var exitCode = SearchCommand.Run("small", _data, null, _run, null, null, null,
            TinyRuns.With("data.batch_size=16", "train.checkpoint_steps=1"),
            null, quiet: false, verbose: false, console, cancel.Token);
        finished.Cancel();
        await watcher;

        Assert.Equal(130, exitCode);
        Assert.Equal($"interrupted; the last checkpoint is in {_run}. Continue with: dha search --resume {_run}", console.Lines[^1]);
        Assert.False(File.Exists(Path.Combine(_run, SearchRun.SummaryFile)));

        var resumed = DhaTool.Run("search", "--resume", _run, "--quiet");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.True(File.Exists(Path.Combine(_run, SearchRun.SummaryFile)));
    }

    [Fact]
    public void A_search_stopped_before_its_first_step_is_already_resumable()
    {
        var console = new TestConsole();
        console.Profile.Width = 4096;
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var exitCode = SearchCommand.Run("small", _data, null, _run, null, null, null, TinyRuns.Settings,
            null, quiet: true, verbose: false, console, cancel.Token);

        Assert.Equal(130, exitCode);
        Assert.Equal([$"interrupted; the last checkpoint is in {_run}. Continue with: dha search --resume {_run}"], console.Lines);
        Assert.True(File.Exists(Path.Combine(_run, SearchRun.CheckpointFile)));
    }
}
