using System.Globalization;
using System.Runtime.InteropServices;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli.Terminal;

/// <summary>What the commands that train (<c>search</c>, <c>train</c>) share on the console: signals, progress, the result.</summary>
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
    /// result: a summary panel, or with <paramref name="quiet"/> three lines (accuracy, genotype, model folder). An
    /// interrupted run says how to continue it and gives <see cref="InterruptedExitCode"/>.
    /// </summary>
    /// <param name="command">The command's name (<c>search</c>, <c>train</c>), for the header and the resume hint.</param>
    /// <param name="directory">The run folder.</param>
    /// <param name="quiet">Print only the result.</param>
    /// <param name="verbose">Print per-epoch details too.</param>
    /// <param name="console">Where everything goes.</param>
    /// <param name="execute">The run, reporting to the observer it is given.</param>
    public static int Execute(string command, string directory, bool quiet, bool verbose, IAnsiConsole console, Func<ISearchObserver, SearchResult> execute)
    {
        if (quiet && verbose)
        {
            throw new InvalidInputException("--quiet and --verbose: choose one");
        }
        SearchResult result;
        try
        {
            result = quiet ? execute(new QuietObserver(console)) : WithProgress(command, directory, verbose, console, execute);
        }
        catch (OperationCanceledException)
        {
            // stopped before the first checkpoint (e.g. while the dataset loaded): there is nothing to resume
            console.WriteLine(File.Exists(Path.Combine(directory, SearchRun.CheckpointFile))
                ? $"interrupted; the last checkpoint is in {directory}. Continue with: dha {command} --resume {directory}"
                : $"interrupted before the first checkpoint; nothing to resume in {directory}");
            return InterruptedExitCode;
        }
        if (quiet)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"test accuracy {result.TestAccuracy:P2} after {result.Epochs} epochs in {result.WallSeconds:F0}s"));
            console.WriteLine($"genotype {result.Genotype}");
            console.WriteLine($"model saved to {result.ModelDirectory}");
        }
        else
        {
            console.Write(SummaryPanel.Render(RunSummary.Read($"dha {command}", result)));
        }
        return 0;
    }

    private static SearchResult WithProgress(string command, string directory, bool verbose, IAnsiConsole console, Func<ISearchObserver, SearchResult> execute)
    {
        var eta = new RunEta(TimeProvider.System);
        // the header waits for the run's first report, so bad input fails before anything reaches stdout
        var observer = new ProgressObserver(console, directory, $"dha {command}", verbose, eta);
        if (!console.Profile.Capabilities.Interactive)
        {
            return execute(observer);
        }
        SearchResult result = null!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new EtaColumn(eta))
            .Start(ctx =>
            {
                observer.Attach(ctx.AddTask("starting"));
                result = execute(observer);
            });
        return result;
    }

    /// <summary>Reports nothing but warnings, which the user must see even in a quiet run.</summary>
    private sealed class QuietObserver(IAnsiConsole console) : ISearchObserver
    {
        public void OnWarning(string message) => console.WriteLine($"warning: {message}");
    }
}
