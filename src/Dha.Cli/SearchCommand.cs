using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dha.Cli.Terminal;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha search</c>: one run that returns a trained model.</summary>
internal static class SearchCommand
{
    private static readonly Option<string> PresetOption = RunOptions.Preset("");

    private static readonly Option<string?> DataOption = RunOptions.Data();

    private static readonly Option<string?> ModeOption = new("--mode", "-m")
    {
        Description = $"What is learned besides the architecture: {string.Join(", ", SearchModes.All)} (default dha).",
    };

    private static readonly Option<string?> OutOption = RunOptions.Out("<time>-<mode>");

    private static readonly Option<int?> SeedOption = RunOptions.Seed();

    private static readonly Option<string?> ConfigOption = RunOptions.Config();

    private static readonly Option<string[]> SetOption = RunOptions.Set();

    private static readonly Option<string?> TimeOption = new("--time", "-t")
    {
        Description = "Time budget for the training steps (90s, 4m, 1h): measured once, turned into a step count and saved as train.steps in the run's config.",
    };

    private static readonly Option<string?> ResumeOption = RunOptions.Resume();

    private static readonly Option<bool> QuietOption = RunOptions.Quiet();

    private static readonly Option<bool> VerboseOption = RunOptions.Verbose();

    public static Command Create()
    {
        var command = new Command("search", "Search architecture, augmentation policy and hyper-parameters in one run and save the trained model.")
        {
            PresetOption, DataOption, ModeOption, OutOption, SeedOption, TimeOption, ConfigOption, SetOption, ResumeOption, QuietOption, VerboseOption,
        };
        command.SetAction(parseResult => RunConsole.RunWithSignals(cancel => Run(
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
            parseResult.GetValue(VerboseOption),
            Program.CreateConsole(parseResult),
            cancel)));
        return command;
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
        string? resume, bool quiet, bool verbose, IAnsiConsole console, CancellationToken cancel)
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

        return RunConsole.Execute("search", directory, quiet, verbose, console, Execute);
    }
}
