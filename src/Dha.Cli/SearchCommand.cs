using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha search</c>: one run that returns a trained model.</summary>
internal static class SearchCommand
{
    /// <summary>Exit code of a run stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    internal const int InterruptedExitCode = 130;

    private static readonly Option<string> PresetOption = new("--preset", "-p")
    {
        Description = $"Starting values: {string.Join(", ", Presets.Names)}.",
        DefaultValueFactory = _ => "small",
    };

    private static readonly Option<string?> DataOption = new("--data", "-d")
    {
        Description = "Dataset: a folder or archive (idx, CIFAR binary, image folders) or a name (fashion-mnist). Default: the shipped Fashion-MNIST subset.",
    };

    private static readonly Option<string?> ModeOption = new("--mode", "-m")
    {
        Description = $"What is learned besides the architecture: {string.Join(", ", SearchModes.All)} (default dha).",
    };

    private static readonly Option<string?> OutOption = new("--out", "-o")
    {
        Description = "Run folder (default: a new runs/<time>-<mode> folder).",
    };

    private static readonly Option<int?> SeedOption = new("--seed") { Description = "Random seed (default: the preset's)." };

    private static readonly Option<string?> ConfigOption = new("--config", "-c") { Description = "JSON config file applied over the preset." };

    private static readonly Option<string[]> SetOption = new("--set")
    {
        Description = "Override any config value, e.g. --set train.search_epochs=2 --set network.channels=16.",
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string?> TimeOption = new("--time", "-t")
    {
        Description = "Time budget for the training steps (90s, 4m, 1h): measured once, turned into a step count and saved as train.steps in the run's config.",
    };

    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Continue the run in this folder from its last checkpoint." };

    private static readonly Option<bool> QuietOption = new("--quiet", "-q") { Description = "Print only the result (for scripts)." };

    public static Command Create()
    {
        var command = new Command("search", "Search architecture, augmentation policy and hyper-parameters in one run and save the trained model.")
        {
            PresetOption, DataOption, ModeOption, OutOption, SeedOption, TimeOption, ConfigOption, SetOption, ResumeOption, QuietOption,
        };
        command.SetAction(parseResult => RunWithSignals(cancel => Run(
            parseResult.GetValue(PresetOption)!,
            parseResult.GetValue(DataOption),
            parseResult.GetValue(ModeOption),
            parseResult.GetValue(OutOption),
            parseResult.GetValue(SeedOption),
            parseResult.GetValue(TimeOption),
            parseResult.GetValue(ConfigOption),
            parseResult.GetValue(SetOption) ?? [],
            parseResult.GetValue(ResumeOption),
            parseResult.GetValue(QuietOption),
            Program.CreateConsole(parseResult),
            cancel)));
        return command;
    }

    /// <summary>Ctrl-C and SIGTERM ask the run to stop: it writes a checkpoint and exits with 130.</summary>
    private static int RunWithSignals(Func<CancellationToken, int> run)
    {
        using var cancel = new CancellationTokenSource();
        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }
        using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        return run(cancel.Token);
    }

    /// <summary>
    /// The library's preset → config → overrides chain; <c>--data</c>, <c>--mode</c>, <c>--seed</c> and
    /// <c>--time</c> are shorthands for the <c>--set</c> of their key, applied before the user's own.
    /// </summary>
    internal static SearchOptions ResolveOptions(string preset, string? data, string? mode, int? seed, string? time, string? config, IEnumerable<string> overrides)
    {
        var shorthands = new List<string>();
        if (data is not null)
        {
            shorthands.Add($"data.path={JsonSerializer.Serialize(data)}");
        }
        if (mode is not null)
        {
            if (!SearchModes.All.Contains(mode.Trim().ToLowerInvariant()))
            {
                throw new InvalidInputException($"--mode {mode}: not a mode; use one of {string.Join(", ", SearchModes.All)}");
            }
            shorthands.Add($"mode={mode}");
        }
        if (seed is { } s)
        {
            if (s < 0)
            {
                throw new InvalidInputException($"--seed {s}: must be >= 0");
            }
            shorthands.Add($"seed={s}");
        }
        if (time is not null)
        {
            shorthands.Add(string.Create(CultureInfo.InvariantCulture, $"train.time_budget={DurationText.Seconds(time):R}"));
        }
        return SearchOptions.Resolve(preset, config, [.. shorthands, .. overrides]);
    }

    internal static int Run(string preset, string? data, string? mode, string? output, int? seed, string? time, string? config, string[] overrides,
        string? resume, bool quiet, IAnsiConsole console, CancellationToken cancel)
    {
        if (resume is not null && (data ?? mode ?? config ?? output ?? time) is not null || resume is not null && (overrides.Length > 0 || seed is not null))
        {
            throw new InvalidInputException("--resume: continues a run with its saved config; do not combine it with --data, --mode, --seed, --time, --config, --set or --out");
        }
        if (output is not null && File.Exists(output))
        {
            throw new InvalidInputException($"--out {output}: is a file; the run needs a folder");
        }
        var options = resume is null ? ResolveOptions(preset, data, mode, seed, time, config, overrides) : null;
        var directory = resume ?? output ?? SearchRun.DefaultDirectory(options!);
        SearchResult Execute(ISearchObserver observer) =>
            resume is not null ? SearchRun.Resume(resume, observer, cancel) : SearchRun.Start(options!, directory, observer, cancel);

        SearchResult result;
        try
        {
            if (quiet)
            {
                result = Execute(new QuietObserver());
            }
            else
            {
                // the header waits for the run's first report, so bad input fails before anything reaches stdout
                var observer = new ProgressObserver(console, directory);
                if (console.Profile.Capabilities.Interactive)
                {
                    result = null!;
                    console.Progress()
                        .AutoClear(true)
                        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                        .Start(ctx =>
                        {
                            observer.Attach(ctx.AddTask("starting"));
                            result = Execute(observer);
                        });
                }
                else
                {
                    result = Execute(observer);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped before the first checkpoint (e.g. while the dataset loaded): there is nothing to resume
            console.WriteLine(File.Exists(Path.Combine(directory, SearchRun.CheckpointFile))
                ? $"interrupted; the last checkpoint is in {directory}. Continue with: dha search --resume {directory}"
                : $"interrupted before the first checkpoint; nothing to resume in {directory}");
            return InterruptedExitCode;
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {result.TestAccuracy:P2} after {result.Epochs} epochs in {result.WallSeconds:F0}s"));
        console.WriteLine($"genotype {result.Genotype}");
        console.WriteLine($"model saved to {result.ModelDirectory}");
        return 0;
    }

    private sealed class QuietObserver : ISearchObserver;
}
