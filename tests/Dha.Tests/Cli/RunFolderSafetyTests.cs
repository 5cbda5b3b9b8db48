using System.Diagnostics;
using System.Runtime.Versioning;
using Dha.Search;
using Dha.Tests.Search;
using Xunit.Abstractions;

namespace Dha.Tests.Cli;

/// <summary>
/// A run never deletes or overwrites what it did not write, holds its folder alone, cleans what its own killed writes
/// left, stops on divergence, and ends a failed write (read-only place, full disk) in one line with its last
/// checkpoint intact.
/// </summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class RunFolderSafetyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ITestOutputHelper _output;
    private readonly string _data;

    public RunFolderSafetyTests(ITestOutputHelper output)
    {
        _output = output;
        _data = TinyRuns.Data(_folder);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Out_into_a_folder_with_other_files_is_refused_and_nothing_there_changes()
    {
        var run = Directory.CreateDirectory(Path.Combine(_folder.Path, "mine")).FullName;
        File.WriteAllText(Path.Combine(run, "config.json"), "my own config");
        Directory.CreateDirectory(Path.Combine(run, "model"));
        File.WriteAllText(Path.Combine(run, "model", "notes.txt"), "mine");
        var before = DhaTool.Contents(run);

        var result = Search("--out", run);

        AssertOneLine(result, 2, $"dha: --out {run}: is not empty; a run starts in a new or empty folder");
        Assert.Equal(before, DhaTool.Contents(run));
        Assert.Equal("my own config", File.ReadAllText(Path.Combine(run, "config.json")));
    }

    [Fact]
    public void A_folder_locked_by_another_process_is_refused_at_once_for_a_new_run_and_for_a_resume()
    {
        var run = Path.Combine(_folder.Path, "run");
        StartAndStop(run);
        var before = DhaTool.Contents(run);
        // flock(1) takes the same advisory lock a dha process holds on its run folder
        using var holder = Process.Start(new ProcessStartInfo("flock", [Path.Combine(run, RunLock.FileName), "sleep", "60"]))!;
        try
        {
            WaitUntilLocked(run);

            var resume = DhaTool.Run("search", "--quiet", "--resume", run);
            var empty = Directory.CreateDirectory(Path.Combine(_folder.Path, "empty")).FullName;
            using (new FileStream(Path.Combine(empty, RunLock.FileName), FileMode.Create, FileAccess.ReadWrite, FileShare.None))
            {
                var start = Search("--out", empty);
                AssertOneLine(start, 2, $"dha: --out {empty}: another dha process is running in this folder");
            }

            AssertOneLine(resume, 2, $"dha: --resume {run}: another dha process is running in this folder");
            Assert.Equal(before, DhaTool.Contents(run));
        }
        finally
        {
            holder.Kill();
            holder.WaitForExit();
        }
    }

    [Fact]
    public void A_resume_removes_the_temporaries_of_killed_writes_and_nothing_else()
    {
        var run = Path.Combine(_folder.Path, "run");
        StartAndStop(run);
        File.WriteAllText(Path.Combine(run, ".checkpoint.bin.99999.tmp"), "half a checkpoint");
        File.WriteAllText(Path.Combine(run, ".metrics.jsonl.12.tmp"), "half");
        Directory.CreateDirectory(Path.Combine(run, "model.99999.tmp"));
        File.WriteAllText(Path.Combine(run, "model.99999.tmp", "weights.bin"), "half a model");
        Directory.CreateDirectory(Path.Combine(run, "model.4343.tmp"));
        File.WriteAllText(Path.Combine(run, "model.4343.tmp", "thesis.tex"), "mine");
        File.WriteAllText(Path.Combine(run, "notes.tmp"), "mine");
        File.WriteAllText(Path.Combine(run, ".notes.tmp"), "mine");

        var result = DhaTool.Run("search", "--quiet", "--resume", run);

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(run, ".checkpoint.bin.99999.tmp")));
        Assert.False(File.Exists(Path.Combine(run, ".metrics.jsonl.12.tmp")));
        Assert.False(Directory.Exists(Path.Combine(run, "model.99999.tmp")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(run, "model.4343.tmp", "thesis.tex")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(run, "notes.tmp")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(run, ".notes.tmp")));
        Assert.True(File.Exists(Path.Combine(run, "model", "weights.bin")));
    }

    [Fact]
    public void A_diverging_run_stops_with_one_line_and_writes_no_model()
    {
        var run = Path.Combine(_folder.Path, "run");

        var result = Search("--mode", "nas", "--out", run, "--set", "train.weight_decay=1e6");

        AssertOneLine(result, 3, "dha: the run diverged: the ");
        Assert.Matches(@"\(epoch [0-9]+, search phase\)", result.Error);
        Assert.False(Directory.Exists(Path.Combine(run, "model")));
        Assert.False(File.Exists(Path.Combine(run, "summary.json")));
        // the checkpoint left is from before the divergence: it resumes into the same divergence, not a NaN model
        var again = DhaTool.Run("search", "--quiet", "--resume", run);
        AssertOneLine(again, 3, "dha: the run diverged: the ");
        Assert.False(Directory.Exists(Path.Combine(run, "model")));
    }

    [Fact]
    public void A_failed_checkpoint_write_ends_the_run_with_the_previous_checkpoint_intact_and_resumable()
    {
        var run = Path.Combine(_folder.Path, "run");
        var options = TinyRuns.Options(_data);
        byte[]? previous = null;
        // a folder where the next checkpoint's temporary file must go makes that write fail, as a full disk does
        var blocker = new BlockCheckpointAt(5, run, () => previous = File.ReadAllBytes(Path.Combine(run, SearchRun.CheckpointFile)));

        var e = Assert.Throws<IOException>(() => SearchRun.Start(options, run, blocker, CancellationToken.None));

        var checkpoint = Path.Combine(run, SearchRun.CheckpointFile);
        Assert.StartsWith($"{checkpoint}: cannot write (", e.Message);
        Assert.NotNull(previous);
        Assert.Equal(previous, File.ReadAllBytes(checkpoint));
        Directory.Delete(blocker.Temporary);
        var resumed = SearchRun.Resume(run, null, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(resumed.ModelDirectory, "weights.bin")));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Out_in_a_read_only_folder_ends_in_one_line_and_writes_nothing()
    {
        var parent = Directory.CreateDirectory(Path.Combine(_folder.Path, "readonly")).FullName;
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            if (IsRoot())
            {
                // root writes through file modes: the read-only mount below is the test that holds for root
                _output.WriteLine("skipped the chmod assertion: running as root, whom file modes do not stop");
                return;
            }
            var result = Search("--out", Path.Combine(parent, "run"));

            AssertOneLine(result, 2, $"dha: --out {Path.Combine(parent, "run")}: cannot create the folder");
            Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
        }
        finally
        {
            File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Out_on_a_read_only_mount_ends_in_one_line()
    {
        var mount = Directory.CreateDirectory(Path.Combine(_folder.Path, "ro")).FullName;
        var run = Path.Combine(mount, "run");

        var result = InMountNamespace($"mount --bind {mount} {mount} && mount -o remount,ro,bind {mount} {mount}", run);
        if (result is null)
        {
            return;
        }

        AssertOneLine(result, 2, $"dha: --out {run}: cannot create the folder (");
        Assert.Contains("Read-only file system", result.Error);
    }

    [Fact]
    public void A_full_disk_ends_in_one_line_naming_the_file()
    {
        var mount = Directory.CreateDirectory(Path.Combine(_folder.Path, "small-disk")).FullName;
        var run = Path.Combine(mount, "run");

        // 32 KiB: the config and metrics fit, the first checkpoint does not
        var result = InMountNamespace($"mount -t tmpfs -o size=32k tmpfs {mount}", run);
        if (result is null)
        {
            return;
        }

        AssertOneLine(result, 74, $"dha: {Path.Combine(run, SearchRun.CheckpointFile)}: cannot write (");
        Assert.Contains("No space left on device", result.Error);
    }

    private CliResult Search(params string[] options) =>
        DhaTool.Run(["search", "--quiet", "--data", _data, .. options, .. TinyRuns.AsSetOptions()]);

    /// <summary>A run folder whose run was stopped after its first steps (as a kill leaves it, with a checkpoint).</summary>
    private void StartAndStop(string run)
    {
        using var cancel = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => SearchRun.Start(TinyRuns.Options(_data), run, new CancelAfter(2, cancel), cancel.Token));
    }

    private static void WaitUntilLocked(string run)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var probe = new FileStream(Path.Combine(run, RunLock.FileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(20);
        }
        Assert.Fail("flock did not take the lock");
    }

    /// <summary>
    /// Runs <c>dha search --out <paramref name="run"/></c> in a child process inside a new user and mount namespace
    /// after <paramref name="mount"/> (a real read-only or full file system, which even root cannot write); null,
    /// with the reason in the test output, where namespaces are not available.
    /// </summary>
    private CliResult? InMountNamespace(string mount, string run)
    {
        if (!File.Exists("/usr/bin/unshare") || Process.Start(new ProcessStartInfo("unshare", ["-rm", "true"]) { RedirectStandardError = true })!.WaitForExitCode() != 0)
        {
            _output.WriteLine("skipped: unprivileged user and mount namespaces (unshare -rm) are not available here");
            return null;
        }
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        var cli = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "Dha.Cli.dll"), "search", "--quiet", "--data", _data, "--out", run }
            .Concat(TinyRuns.AsSetOptions()).Select(a => $"'{a}'"));
        foreach (var arg in new[] { "-rm", "sh", "-c", $"{mount} && exec {cli}" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Result, error);
    }

    private static bool IsRoot() => File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t')[1] == "0");

    private static void AssertOneLine(CliResult result, int exitCode, string expectedStart)
    {
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}, stderr: {result.Error}");
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith(expectedStart, line);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>After <paramref name="step"/> steps, records the checkpoint on disk and blocks the path of the next one's temporary file.</summary>
    private sealed class BlockCheckpointAt(int step, string run, Action recordPrevious) : ISearchObserver
    {
        private int _steps;

        public string Temporary { get; } = Path.Combine(run, $".{SearchRun.CheckpointFile}.{Environment.ProcessId}.tmp");

        public void OnStepCompleted(StepMetrics metrics)
        {
            if (++_steps == step)
            {
                recordPrevious();
                Directory.CreateDirectory(Temporary);
            }
        }
    }
}
