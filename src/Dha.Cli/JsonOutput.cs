using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dha.Cli;

/// <summary>
/// <c>--json</c>: a command's result as one JSON document on stdout, keys in snake_case like the run files, nothing
/// else on stdout (errors stay one line on stderr).
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Option<bool> Option() => new("--json") { Description = "Print the result as one JSON document (snake_case keys) instead of text." };

    /// <summary>Writes <paramref name="value"/> to the invocation's output, not through Spectre, which would wrap long lines at the terminal's width.</summary>
    public static void Write(ParseResult parseResult, object value)
    {
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine(JsonSerializer.Serialize(value, Options));
        output.Flush();
    }
}
