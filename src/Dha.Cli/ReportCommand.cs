using System.CommandLine;
using Dha.Report;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha report RUN</c>: the run's curves, policy, genotype and confusion matrix as one offline HTML page.</summary>
internal static class ReportCommand
{
    private static readonly Argument<string> RunArgument = new("RUN") { Description = "A run folder (of dha search or dha train), finished or not." };

    private static readonly Option<string?> DataOption = new("--data", "-d")
    {
        Description = "Dataset of the run's test split, if it has moved (default: the one recorded in the run's model).",
    };

    public static Command Create()
    {
        var command = new Command("report", $"Write RUN/{RunReport.FileName}: one self-contained page of the run's curves, policy, genotype and confusion matrix.")
        {
            RunArgument,
            DataOption,
        };
        command.SetAction(parseResult => Run(parseResult.GetValue(RunArgument)!, parseResult.GetValue(DataOption), Program.CreateConsole(parseResult)));
        return command;
    }

    internal static int Run(string run, string? data, IAnsiConsole console)
    {
        var path = RunReport.Write(run, data);
        console.WriteLine($"report written to {path}");
        return 0;
    }
}
