using System.CommandLine;
using Dha.Cli.Terminal;
using Dha.Retrain;
using Spectre.Console;

namespace Dha.Cli;

/// <summary>
/// <c>dha train --genotype FILE|darts-v2</c>: trains a given architecture from scratch on the search's data pipeline
/// and budget (the "search, then retrain" baseline) and saves the model like a search does.
/// </summary>
internal static class TrainCommand
{
    private static readonly Option<string?> GenotypeOption = new("--genotype", "-g")
    {
        Description = $"The architecture: a run's genotype.json, a text file in the DARTS notation (normal=[sep_conv_3x3@0 ...] reduce=[...]), or {GenotypeInput.DartsV2Name}.",
    };

    private static readonly Option<string> PresetOption = RunOptions.Preset(" (network size; epochs: a search's search + train epochs)");

    private static readonly Option<string?> DataOption = RunOptions.Data();

    private static readonly Option<string?> OutOption = RunOptions.Out($"<time>-{RetrainRun.Mode}");

    private static readonly Option<int?> SeedOption = RunOptions.Seed();

    private static readonly Option<string?> ConfigOption = RunOptions.Config();

    private static readonly Option<string[]> SetOption = RunOptions.Set();

    private static readonly Option<string?> ResumeOption = RunOptions.Resume();

    private static readonly Option<bool> QuietOption = RunOptions.Quiet();

    private static readonly Option<bool> VerboseOption = RunOptions.Verbose();

    public static Command Create()
    {
        var command = new Command("train", "Train a given architecture from scratch (the search-then-retrain baseline) and save the trained model.")
        {
            GenotypeOption, PresetOption, DataOption, OutOption, SeedOption, ConfigOption, SetOption, ResumeOption, QuietOption, VerboseOption,
        };
        command.SetAction(parseResult => RunConsole.RunWithSignals(cancel => Run(
            parseResult.GetValue(GenotypeOption),
            parseResult.GetValue(PresetOption)!,
            parseResult.GetValue(DataOption),
            parseResult.GetValue(OutOption),
            parseResult.GetValue(SeedOption),
            parseResult.GetValue(ConfigOption),
            parseResult.GetValue(SetOption) ?? [],
            parseResult.GetValue(ResumeOption),
            parseResult.GetValue(QuietOption),
            parseResult.GetValue(VerboseOption),
            Program.CreateConsole(parseResult),
            cancel)));
        return command;
    }

    internal static int Run(string? genotype, string preset, string? data, string? output, int? seed, string? config, string[] overrides,
        string? resume, bool quiet, bool verbose, IAnsiConsole console, CancellationToken cancel)
    {
        if (resume is not null)
        {
            if ((genotype ?? data ?? config ?? output) is not null || overrides.Length > 0 || seed is not null)
            {
                throw new InvalidInputException("--resume: continues a retraining with its saved config and genotype; do not combine it with --genotype, --data, --seed, --config, --set or --out");
            }
            return RunConsole.Execute("train", resume, quiet, verbose, console, observer => RetrainRun.Resume(resume, observer, cancel));
        }
        if (genotype is null)
        {
            throw new InvalidInputException($"--genotype: required (a genotype.json, a genotype text file, or {GenotypeInput.DartsV2Name}), unless --resume DIR");
        }
        if (output is not null && File.Exists(output))
        {
            throw new InvalidInputException($"--out {output}: is a file; the run needs a folder");
        }
        var architecture = GenotypeInput.Read(genotype);
        var options = SearchCommand.ResolveOptions(preset, data, mode: null, seed, time: null, config, overrides);
        var directory = output ?? RetrainRun.DefaultDirectory();
        return RunConsole.Execute("train", directory, quiet, verbose, console, observer => RetrainRun.Start(options, architecture, directory, observer, cancel));
    }
}
