using System.Globalization;
using Dha.Report;
using Dha.Search;
using Dha.Tests.Cli;

namespace Dha.Tests.Report;

/// <summary><c>dha report</c> on folders that need no training: bad input, and a run that has not finished.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A run folder as a run leaves it after <paramref name="lines"/> epochs of metrics.jsonl, and nothing else.</summary>
    private string UnfinishedRun(params string[] lines)
    {
        var run = Directory.CreateDirectory(Path.Combine(_folder.Path, "run")).FullName;
        File.WriteAllText(Path.Combine(run, SearchRun.ConfigFile), Presets.Get("small").ToJson());
        File.WriteAllLines(Path.Combine(run, SearchRun.MetricsFile), lines);
        return run;
    }

    private static string Epoch(int epoch, double validationLoss) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"epoch":{{epoch}},"phase":"search","train_loss":1.5,"train_accuracy":0.5,"validation_loss":{{validationLoss:R}},"validation_accuracy":0.6,"test_accuracy":null,"learning_rate":0.025,"weight_decay":0.0003,"policy_entropy":5.27,"frozen_nodes":0,"genotype":"g","seconds":1.5}""");

    [Fact]
    public void A_missing_folder_is_one_line_and_exit_2()
    {
        var missing = Path.Combine(_folder.Path, "nowhere");
        var result = DhaTool.Run("report", missing);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"dha: {missing}: folder not found", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public void A_folder_that_holds_no_run_is_one_line_and_exit_2_and_gets_no_page()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "notes.txt"), "mine");
        var result = DhaTool.Run("report", _folder.Path);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not a run folder", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], DhaTool.Contents(_folder.Path));
    }

    [Theory]
    [InlineData("{\"epoch\":1,")]
    [InlineData("[1, 2]")]
    [InlineData("{\"epoch\":1,\"phase\":\"search\"}")]
    [InlineData("{\"epoch\":\"one\",\"phase\":\"search\",\"train_loss\":1.5,\"train_accuracy\":0.5,\"validation_loss\":1,\"validation_accuracy\":0.6,\"test_accuracy\":null,\"learning_rate\":0.025,\"weight_decay\":0.0003,\"policy_entropy\":5.27,\"frozen_nodes\":0,\"genotype\":\"g\",\"seconds\":1.5}")]
    public void A_damaged_metrics_line_is_one_line_naming_the_file_and_line_and_exit_2(string damaged)
    {
        var run = UnfinishedRun(Epoch(0, 1.0), damaged);
        var result = DhaTool.Run("report", run);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"dha: {Path.Combine(run, SearchRun.MetricsFile)} line 2: damaged", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run, RunReport.FileName)));
    }

    [Fact]
    public void An_unfinished_run_gets_its_curves_and_says_which_figures_wait_for_the_end()
    {
        var run = UnfinishedRun(Epoch(0, 0.75), Epoch(1, 0.5));
        var result = DhaTool.Run("report", run);
        Assert.Equal(0, result.ExitCode);
        var html = File.ReadAllText(Path.Combine(run, RunReport.FileName));
        // no event files and no summary: an epoch is one step on the x axis
        Assert.Equal([(1.0, 0.75), (2.0, 0.5)], ReportDom.Series(ReportDom.Figure(html, "fig-loss"), "validation_loss"));
        Assert.Empty(ReportDom.Series(ReportDom.Figure(html, "fig-loss"), "step_train_loss"));
        foreach (var id in new[] { "fig-summary", "fig-policy", "fig-top-pairs", "fig-genotype", "fig-recovery", "fig-confusion" })
        {
            Assert.Contains($"<figure id=\"{id}\" class=\"missing\"><p>", html, StringComparison.Ordinal);
        }
        // nothing but the page was written, and no temporary file is left
        Assert.Equal([SearchRun.ConfigFile, SearchRun.MetricsFile, RunReport.FileName], DhaTool.Contents(run));
    }

    [Fact]
    public void Chromium_reports_a_console_error_and_a_page_without_script_has_none()
    {
        var bad = Path.Combine(_folder.Path, "bad.html");
        File.WriteAllText(bad, "<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction();</script></body></html>");
        var (dom, console) = Chromium.Render(bad, "--dump-dom");
        Assert.Contains("<p>x</p>", dom, StringComparison.Ordinal);
        Assert.Contains(console, line => line.Contains("undefinedFunction", StringComparison.Ordinal));

        var run = UnfinishedRun(Epoch(0, 0.75));
        Assert.Equal(0, DhaTool.Run("report", run).ExitCode);
        var (reportDom, reportConsole) = Chromium.Render(Path.Combine(run, RunReport.FileName), "--dump-dom");
        Assert.Empty(reportConsole);
        Assert.Equal([(1.0, 0.75)], ReportDom.Series(ReportDom.Figure(reportDom, "fig-loss"), "validation_loss"));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.000123, 0.000301)]
    [InlineData(-3, 939)]
    [InlineData(5.27, 5.2783)]
    public void Chart_ticks_are_round_and_cover_the_range(double min, double max)
    {
        var ticks = Dha.Report.LineChart.Ticks(min, max);
        Assert.True(ticks[0] <= min && ticks[^1] >= max);
        Assert.InRange(ticks.Length, 3, 12);
        var step = ticks[1] - ticks[0];
        var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains([1.0, 2.0, 5.0, 10.0], m => Math.Abs(m - mantissa) < 1e-9);
        Assert.All(ticks.Zip(ticks[1..]), t => Assert.Equal(step, t.Second - t.First, step * 1e-9));
    }
}
