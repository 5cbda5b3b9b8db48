using System.CommandLine;
using System.Globalization;
using Dha.Data;
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

    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Continue the run in this folder from its last checkpoint." };

    private static readonly Option<bool> QuietOption = new("--quiet", "-q") { Description = "Print only the result (for scripts)." };

    public static Command Create()
    {
        var command = new Command("search", "Search architecture, augmentation policy and hyper-parameters in one run and save the trained model.")
        {
            PresetOption, DataOption, ModeOption, OutOption, SeedOption, ConfigOption, SetOption, ResumeOption, QuietOption,
        };
        command.SetAction(parseResult => RunWithSignals(cancel => Run(
            parseResult.GetValue(PresetOption)!,
            parseResult.GetValue(DataOption),
            parseResult.GetValue(ModeOption),
            parseResult.GetValue(OutOption),
            parseResult.GetValue(SeedOption),
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

    internal static SearchOptions ResolveOptions(string preset, string? data, string? mode, int? seed, string? config, IEnumerable<string> overrides)
    {
        var options = Presets.Get(preset);
        if (config is not null)
        {
            if (!File.Exists(config))
            {
                throw new InvalidInputException($"--config {config}: file not found");
            }
            options = SearchOptions.FromJson(File.ReadAllText(config), config, options);
        }
        if (data is not null)
        {
            options = options with { Data = options.Data with { Path = data } };
        }
        if (mode is not null)
        {
            if (!SearchModes.All.Contains(mode.Trim().ToLowerInvariant()))
            {
                throw new InvalidInputException($"--mode {mode}: not a mode; use one of {string.Join(", ", SearchModes.All)}");
            }
            options = options with { Mode = SearchModes.Parse(mode).ToText() };
        }
        if (seed is { } s)
        {
            if (s < 0)
            {
                throw new InvalidInputException($"--seed {s}: must be >= 0");
            }
            options = options with { Seed = s };
        }
        var assignments = overrides.ToArray();
        options = options.WithOverrides(assignments);
        try
        {
            options.Validate();
        }
        catch (InvalidInputException invalid)
        {
            throw NameTheAssignment(invalid, assignments);
        }
        return options with { Data = options.Data with { Path = AbsoluteDataPath(options.Data.Path) } };
    }

    /// <summary>
    /// A dataset path is saved in config.json as an absolute path, so <c>--resume</c> finds the same data from any
    /// working directory; names (the shipped subset, fashion-mnist) stay names.
    /// </summary>
    private static string? AbsoluteDataPath(string? path) =>
        string.IsNullOrWhiteSpace(path)
        || path == DatasetLocator.FashionMnistName
        || path == Path.GetFileName(DatasetLocator.ShippedRelativePath)
            ? path
            : Path.GetFullPath(path);

    /// <summary>
    /// Validation names the key ("train.search_epochs: must be >= 1"); when the value came from a <c>--set</c>, the
    /// message names that <c>--set</c> as the user typed it, so the one error line points at the option to fix.
    /// </summary>
    private static InvalidInputException NameTheAssignment(InvalidInputException invalid, string[] assignments)
    {
        var colon = invalid.Message.IndexOf(':');
        if (colon <= 0)
        {
            return invalid;
        }
        var key = invalid.Message[..colon];
        var assignment = assignments.LastOrDefault(a => a.IndexOf('=') is > 0 and var eq && a[..eq].Trim() == key);
        return assignment is null
            ? invalid
            : new InvalidInputException($"--set {assignment}{invalid.Message[colon..]}", invalid.ExitCode, invalid);
    }

    internal static int Run(string preset, string? data, string? mode, string? output, int? seed, string? config, string[] overrides,
        string? resume, bool quiet, IAnsiConsole console, CancellationToken cancel)
    {
        if (resume is not null && (data ?? mode ?? config ?? output) is not null || resume is not null && (overrides.Length > 0 || seed is not null))
        {
            throw new InvalidInputException("--resume: continues a run with its saved config; do not combine it with --data, --mode, --seed, --config, --set or --out");
        }
        if (output is not null && File.Exists(output))
        {
            throw new InvalidInputException($"--out {output}: is a file; the run needs a folder");
        }
        var options = resume is null ? ResolveOptions(preset, data, mode, seed, config, overrides) : null;
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
