using System.Globalization;
using System.Text.Json.Nodes;
using Dha.Cli.Terminal;
using Dha.Search;
using Spectre.Console.Testing;

namespace Dha.Tests.Cli.Terminal;

/// <summary>A run's whole console output at 80 columns: the table as it goes, then the summary panel read from the run folder's files.</summary>
public sealed class RunConsoleTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A finished run's summary.json and history.jsonl, as the library writes them.</summary>
    private string RunFolder()
    {
        var run = _folder.Path;
        File.WriteAllText(Path.Combine(run, SearchRun.SummaryFile), new JsonObject
        {
            ["final_test_accuracy"] = 0.8807,
            ["test_images"] = 2000,
            ["final_test_top5_accuracy"] = 0.9912,
            ["learning_rate"] = 0.0251234,
            ["weight_decay"] = 0.000312,
            ["parameter_count"] = 179_107,
            ["search_epochs"] = 2,
            ["planned_search_epochs"] = 2,
        }.ToJsonString());
        File.WriteAllLines(Path.Combine(run, SearchRun.HistoryFile),
        [
            """{"epoch":0,"policy_top":[{"first":"rotate","second":"rotate","p":0.5}]}""",
            """{"epoch":3,"policy_top":[{"first":"rotate","second":"contrast","p":0.041},{"first":"flip","second":"cutout","p":0.03},{"first":"posterize","second":"solarize","p":0.029},{"first":"equalize","second":"color","p":0.02}]}""",
        ]);
        return run;
    }

    private static string Flat(string text) => text.Replace(" ", "", StringComparison.Ordinal);

    private static string Number(string format, double value) => value.ToString(format, CultureInfo.InvariantCulture);

    [Fact]
    public void A_finished_run_ends_with_a_summary_panel_that_fits_80_columns_and_holds_the_run_files_values()
    {
        var run = RunFolder();
        var model = Path.Combine(run, SearchRun.ModelFolder);
        var console = new TestConsole().Width(80);
        var recorded = new RecordedRun(allFreeze: false);

        var exitCode = RunConsole.Execute("search", run, quiet: false, verbose: false, console, observer =>
        {
            recorded.Replay(observer);
            return new SearchResult(run, model, 0.8807, RecordedRun.Genotype, 4, 256.4);
        });

        Assert.Equal(0, exitCode);
        var lines = ProgressObserverTests.Lines(console);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        var panel = lines[Array.FindIndex(lines, line => line.Contains("dha search: done", StringComparison.Ordinal))..];
        Assert.True(panel.Length > 6, string.Join('\n', lines));
        string Row(string label) => Assert.Single(panel, line => line.Contains($"│ {label} ", StringComparison.Ordinal));
        Assert.Contains("88.07% on 2,000 test images", Row("test accuracy"));
        Assert.Contains("99.12%", Row("top-5 accuracy"));
        Assert.Contains($"{Number("G4", 0.0251234)}, {Number("G4", 0.000312)}", Row("η, λ"));
        Assert.StartsWith("rotate + contrast 4.1%", Row("policy")[(Row("policy").IndexOf("policy", StringComparison.Ordinal) + 6)..].Trim());
        Assert.Contains("179,107", Row("parameters"));
        Assert.Contains("4m16s, 4 epochs: 2 searching (cap 2), 2 training", Row("time"));
        Assert.Contains(model, Row("model"));
        // long values wrap inside the panel, nothing lost: the last epoch's three most likely pairs, the architecture
        var text = Flat(string.Concat(panel.Select(line => line.Trim('│', '╭', '╮', '╰', '╯', '─', ' '))));
        Assert.Contains(Flat("policy rotate + contrast 4.1%, flip + cutout 3.0%, posterize + solarize 2.9%parameters"), text);
        Assert.Contains(Flat($"architecture {RecordedRun.Genotype}time"), text);
    }

    [Fact]
    public void Quiet_and_verbose_together_are_refused_before_the_run()
    {
        var ran = false;

        var error = Assert.Throws<InvalidInputException>(() => RunConsole.Execute("search", _folder.Path, quiet: true, verbose: true, new TestConsole(), _ =>
        {
            ran = true;
            throw new InvalidOperationException();
        }));

        Assert.Equal("--quiet and --verbose: choose one", error.Message);
        Assert.False(ran);
    }
}
