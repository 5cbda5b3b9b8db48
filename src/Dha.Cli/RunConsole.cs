using System.Globalization;
using System.Runtime.InteropServices;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary>What the commands that train (<c>search</c>, <c>train</c>) share on the console: signals, progress, the result lines.</summary>
internal static class RunConsole
{
    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    internal const int InterruptedExitCode = 130;

    /// <summary>Ctrl-C and SIGTERM ask the run to stop: it writes a checkpoint and exits with 130.</summary>
    public static int RunWithSignals(Func<CancellationToken, int> run)
    {
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return run(cancel.Token);
    }

    /// <summary>
    /// Runs <paramref name="execute"/> with a progress display (or none with <paramref name="quiet"/>) and prints its
    /// result; an interrupted run says how to continue it and gives <see cref="InterruptedExitCode"/>.
    /// </summary>
    /// <param name="command">The command's name (<c>search</c>, <c>train</c>), for the header and the resume hint.</param>
    /// <param name="directory">The run folder.</param>
    /// <param name="quiet">Print only the result.</param>
    /// <param name="console">Where everything goes.</param>
    /// <param name="execute">The run, reporting to the observer it is given.</param>
    public static int Execute(string command, string directory, bool quiet, IAnsiConsole console, Func<ISearchObserver, SearchResult> execute)
    {
        SearchResult result;
        try
        {
            if (quiet)
            {
                result = execute(new QuietObserver(console));
            }
            else
            {
                // the header waits for the run's first report, so bad input fails before anything reaches stdout
                var observer = new ProgressObserver(console, directory, $"dha {command}");
                if (console.Profile.Capabilities.Interactive)
                {
                    result = null!;
                    console.Progress()
                        .AutoClear(true)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            observer.Attach(ctx.AddTask("starting"));
                            result = execute(observer);
                        });
                }
                else
                {
                    result = execute(observer);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped before the first checkpoint (e.g. while the dataset loaded): there is nothing to resume
            console.WriteLine(File.Exists(Path.Combine(directory, SearchRun.CheckpointFile))
                ? $"interrupted; the last checkpoint is in {directory}. Continue with: dha {command} --resume {directory}"
                : $"interrupted before the first checkpoint; nothing to resume in {directory}");
            return InterruptedExitCode;
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {result.TestAccuracy:P2} after {result.Epochs} epochs in {result.WallSeconds:F0}s"));
        console.WriteLine($"genotype {result.Genotype}");
        console.WriteLine($"model saved to {result.ModelDirectory}");
        return 0;
    }

    /// <summary>Reports nothing but warnings, which the user must see even in a quiet run.</summary>
    private sealed class QuietObserver(IAnsiConsole console) : ISearchObserver
    {
        public void OnWarning(string message) => console.WriteLine($"warning: {message}");
    }
}
