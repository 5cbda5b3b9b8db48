using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using Dha.Runtime;
using Spectre.Console;

namespace Dha.Cli;

/// <summary>
/// The <c>dha</c> tool: a root command with one sub-command per verb, each defined in its own file. Anticipated bad
/// input (<see cref="InvalidInputException"/>) and command-line mistakes become one <c>dha: …</c> line on stderr and
/// exit code 2 (3 for a run whose training diverged), a failed read or write (a full disk, a read-only folder) one line
/// and exit code 74, all with no stack trace; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class Program
{
    internal const int UsageExitCode = 2;

    /// <summary>Exit code of a file that could not be read or written (sysexits' EX_IOERR).</summary>
    internal const int IoErrorExitCode = 74;

    /// <summary>The process entry point: the tool is the host, so it applies the runtime workarounds once, first.</summary>
    public static int Main(string[] args)
    {
        DhaRuntime.Configure();
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Runs the tool in-process: the testable entry point (tests pass string writers).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = CreateRootCommand();
        var parseResult = root.Parse(args);
        // shell completion asks about half-typed command lines, which are parse errors to everything else
        if (parseResult.Errors.Count > 0 && parseResult.GetResult(root.Directives.OfType<SuggestDirective>().Single()) is null)
        {
            foreach (var parseError in parseResult.Errors)
            {
                error.WriteLine($"dha: {Readable(OneLine(parseError.Message))}");
            }
            return UsageExitCode;
        }
        // the help of a verb, and whatever the root does (help, --version)
        if (parseResult.Action is HelpAction || parseResult.CommandResult.Command == root)
        {
            return WriteHelp(parseResult, root, output, error);
        }
        try
        {
            return parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException invalid)
        {
            error.WriteLine($"dha: {OneLine(invalid.Message)}");
            return invalid.ExitCode;
        }
        catch (Exception io) when (io is IOException or UnauthorizedAccessException)
        {
            // a full disk, a read-only place, a file gone: the message names the path; the files written so far
            // (the last checkpoint among them) are whole, as every write goes through a temporary file
            error.WriteLine($"dha: {OneLine(io.Message)}");
            return IoErrorExitCode;
        }
    }

    /// <summary>
    /// The command tree; a new verb is one line here. A <see cref="RootCommand"/> brings --help, --version and the
    /// [suggest] directive that shell completion (dotnet-suggest) calls; its name is the executable's, dha (the
    /// build places an app host of that name next to Dha.Cli, see Dha.Cli.csproj). Bare <c>dha</c> prints the help.
    /// </summary>
    internal static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("AutoML for image classification: one run jointly searches the network architecture, the data augmentation policy and the hyper-parameters (DHA), and returns a trained model.")
        {
            SearchCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            ExportCommand.Create(),
            DatasetsCommand.Create(),
            ReportCommand.Create(),
        };
        // an action, not the help action itself, which would clear the errors of `dha bogus`
        root.SetAction(parseResult => new HelpAction().Invoke(parseResult));
        return root;
    }

    /// <summary>
    /// The help, with <c>dha</c> as the command in its usage lines: a <see cref="RootCommand"/> is named after the
    /// running assembly, which is Dha.Cli (or a test host), since the library already is Dha.
    /// </summary>
    private static int WriteHelp(ParseResult parseResult, RootCommand root, TextWriter output, TextWriter error)
    {
        var help = new StringWriter();
        var exitCode = parseResult.Invoke(new InvocationConfiguration { Output = help, Error = error });
        output.Write(help.ToString().Replace($"  {root.Name} ", $"  {ToolName} ", StringComparison.Ordinal));
        return exitCode;
    }

    /// <summary>The command users type (the app host's name, Dha.Cli.csproj's ToolCommandName).</summary>
    internal const string ToolName = "dha";

    /// <summary>A Spectre console writing to the invocation's output: plain text unless it is the real terminal.</summary>
    internal static IAnsiConsole CreateConsole(ParseResult parseResult)
    {
        var writer = parseResult.InvocationConfiguration.Output;
        var terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // a pipe or a log file has no width: lines are never wrapped (one epoch, one line; tables keep their size)
            console.Profile.Width = UnwrappedWidth;
        }
        return console;
    }

    private const int UnwrappedWidth = 4096;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>
    /// System.CommandLine names the .NET type a value failed to parse as ("System.Nullable`1[System.Int32]"); the
    /// user gets the option, the value and what was expected instead. Other messages (or localised ones) pass as they are.
    /// </summary>
    private static string Readable(string message)
    {
        var match = Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.$");
        return match.Success && match.Groups[3].Value.Contains("System.Int32", StringComparison.Ordinal)
            ? $"{match.Groups[2].Value} {match.Groups[1].Value}: not a whole number"
            : message;
    }
}
