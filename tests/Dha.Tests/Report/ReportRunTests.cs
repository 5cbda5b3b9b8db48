using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Nas;
using Dha.Search;
using Dha.Tests.Cli;
using Dha.Tests.Search;
using Dha.Tests.TensorBoard;
using SkiaSharp;

namespace Dha.Tests.Report;

/// <summary>
/// <c>dha report</c> on a tiny search (two search epochs, so one recovery, and one training epoch), rendered by
/// headless Chromium: no console message, and every figure shows the data of the run's files, read here on their own
/// (the event files with the tests' own reader, the policy's change from history.jsonl's θ with a softmax of its own).
/// </summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class ReportRunTests(ReportedRun reported) : IClassFixture<ReportedRun>
{
    private readonly string _run = reported.Run;
    private readonly string _dom = reported.Dom;
    private readonly string[] _console = reported.Console;

    private JsonObject[] Metrics => [.. File.ReadAllLines(Path.Combine(_run, SearchRun.MetricsFile)).Select(l => JsonNode.Parse(l)!.AsObject())];

    private JsonObject Summary => JsonNode.Parse(File.ReadAllText(Path.Combine(_run, SearchRun.SummaryFile)))!.AsObject();

    [Fact]
    public void Chromium_renders_the_page_with_no_console_message_and_every_figure()
    {
        Assert.Empty(_console);
        foreach (var id in new[] { "fig-summary", "fig-loss", "fig-accuracy", "fig-learning-rate", "fig-weight-decay", "fig-policy", "fig-policy-change",
            "fig-top-pairs", "fig-genotype", "fig-recovery", "fig-confusion" })
        {
            Assert.NotEmpty(ReportDom.Figure(_dom, id));
        }
        // nothing is loaded from anywhere: every src is inline
        Assert.All(ReportDom.Elements(_dom, "sample"), img => Assert.StartsWith("data:image/png;base64,", img["src"]));
        Assert.DoesNotContain("<script", _dom, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_curves_hold_metrics_jsonl_per_epoch_and_the_event_files_per_step()
    {
        var stepsPerEpoch = (long)Summary["steps_per_epoch"]!;
        var scalars = EventFileReader.Scalars(EventFileReader.ReadFolder(Path.Combine(_run, "tensorboard")));
        var figures = new Dictionary<string, string>
        {
            ["train_loss"] = "fig-loss",
            ["validation_loss"] = "fig-loss",
            ["train_accuracy"] = "fig-accuracy",
            ["validation_accuracy"] = "fig-accuracy",
            ["learning_rate"] = "fig-learning-rate",
            ["weight_decay"] = "fig-weight-decay",
        };
        foreach (var (key, id) in figures)
        {
            var expected = Metrics.Select(m => ((double)(((int)m["epoch"]! + 1) * stepsPerEpoch), (double)m[key]!)).ToArray();
            Assert.Equal(expected, ReportDom.Series(ReportDom.Figure(_dom, id), key));
            var perStep = scalars.Where(s => s.Key.Tag == $"step/{key}").OrderBy(s => s.Key.Step).Select(s => ((double)s.Key.Step, (double)s.Value)).ToArray();
            if (key != "validation_loss" && key != "validation_accuracy")
            {
                Assert.Equal(Metrics.Length * stepsPerEpoch, perStep.Length);
                Assert.Equal(perStep, ReportDom.Series(ReportDom.Figure(_dom, id), $"step_{key}"));
            }
        }
        // the test split is scored only at the end: no epoch has a test accuracy to draw
        Assert.Empty(ReportDom.Series(ReportDom.Figure(_dom, "fig-accuracy"), "test_accuracy"));
    }

    [Fact]
    public void The_policy_heatmaps_hold_policy_json_and_the_change_of_softmax_theta_in_each_epoch()
    {
        var policy = JsonNode.Parse(File.ReadAllText(Path.Combine(_run, SearchRun.PolicyFile)))!;
        var p = policy["p"]!.AsArray().Select(r => r!.AsArray().Select(v => (double)v!).ToArray()).ToArray();
        var final = ReportDom.Cells(ReportDom.Figure(_dom, "fig-policy"), 14, 14);
        for (var i = 0; i < 14; i++)
        {
            for (var j = 0; j < 14; j++)
            {
                Assert.Equal(p[i][j], final[i, j]);
            }
        }

        var history = File.ReadAllLines(Path.Combine(_run, SearchRun.HistoryFile)).Select(l => JsonNode.Parse(l)!).ToArray();
        var changes = ReportDom.Figure(_dom, "fig-policy-change").Split("<div class=\"epoch-change\"")[1..];
        Assert.Equal(history.Length, changes.Length);
        var previous = Enumerable.Repeat(1.0 / 196, 196).ToArray();
        for (var e = 0; e < history.Length; e++)
        {
            Assert.StartsWith($" data-epoch=\"{(int)history[e]["epoch"]!}\"", changes[e]);
            var theta = history[e]["policy_theta"]!.AsArray().Select(v => (double)v!).ToArray();
            var max = theta.Max();
            var exp = theta.Select(t => Math.Exp(t - max)).ToArray();
            var current = exp.Select(x => x / exp.Sum()).ToArray();
            var cells = ReportDom.Cells(changes[e], 14, 14);
            for (var k = 0; k < 196; k++)
            {
                Assert.Equal(current[k] - previous[k], cells[k / 14, k % 14], 1e-15);
            }
            previous = current;
        }
        // the last snapshot is the policy of policy.json
        Assert.Equal(p.SelectMany(r => r), previous, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void The_top_pairs_are_policy_json_s_most_likely_each_on_every_sample_image()
    {
        var policy = JsonNode.Parse(File.ReadAllText(Path.Combine(_run, SearchRun.PolicyFile)))!;
        var ops = policy["ops"]!.AsArray().Select(o => (string)o!).ToArray();
        var p = policy["p"]!.AsArray().SelectMany(r => r!.AsArray().Select(v => (double)v!)).ToArray();
        var expected = Enumerable.Range(0, 196).OrderByDescending(k => p[k]).Take(5).Select(k => (ops[k / 14], ops[k % 14], p[k])).ToArray();

        var figure = ReportDom.Figure(_dom, "fig-top-pairs");
        var rows = figure.Split("<tr")[1..];
        Assert.Equal(6, rows.Length); // the originals, then the pairs
        var pairs = ReportDom.Elements(figure, "pair");
        Assert.Equal(expected, pairs.Select(r => (r["data-first"], r["data-second"], double.Parse(r["data-p"], System.Globalization.CultureInfo.InvariantCulture))));
        var original = Images(rows[0]);
        Assert.Equal(8, original.Length);
        foreach (var (row, pair) in rows[1..].Zip(expected))
        {
            var images = Images(row);
            Assert.Equal(8, images.Length);
            // an op that changes images left at least one of them changed
            var changes = AugmentOpNames.Parse(pair.Item1) != AugmentOp.Identity || AugmentOpNames.Parse(pair.Item2) != AugmentOp.Identity;
            Assert.Equal(changes, images.Zip(original).Any(x => !x.First.SequenceEqual(x.Second)));
        }
    }

    /// <summary>The sample images of a table row, decoded: 28×28 pixels each.</summary>
    private static byte[][] Images(string row) =>
        [.. ReportDom.Elements(row, "sample").Select(img =>
        {
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(img["src"]["data:image/png;base64,".Length..]));
            Assert.Equal((28, 28), (bitmap.Width, bitmap.Height));
            return bitmap.Pixels.Select(c => c.Red).ToArray();
        })];

    [Fact]
    public void The_cell_graphs_have_the_edges_of_genotype_json()
    {
        var genotype = Genotype.FromJson(File.ReadAllText(Path.Combine(_run, SearchRun.GenotypeFile)));
        var graphs = ReportDom.Figure(_dom, "fig-genotype").Split("<svg")[1..];
        Assert.Equal(2, graphs.Length);
        foreach (var (graph, cell) in graphs.Zip(new[] { genotype.Normal, genotype.Reduce }))
        {
            var expected = cell.Select((e, i) => (e.Input.ToString(System.Globalization.CultureInfo.InvariantCulture), (i / 2).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Op.ToText()));
            Assert.Equal(expected, ReportDom.Elements(graph, "edge").Select(e => (e["data-from"], e["data-to"], e["data-op"])));
        }
    }

    [Fact]
    public void The_recovery_chart_holds_every_node_s_distance_from_metrics_jsonl()
    {
        var figure = ReportDom.Figure(_dom, "fig-recovery");
        var recovered = Metrics.Where(m => m["recovery"] is not null).ToArray();
        Assert.Single(recovered);
        foreach (var node in recovered[0]["recovery"]!["nodes"]!.AsArray())
        {
            var name = $"{(string)node!["cell"]!}_{(int)node["node"]!}";
            Assert.Equal([((double)(int)recovered[0]["epoch"]!, (double)node["distance"]!)], ReportDom.Series(figure, name));
        }
        Assert.Equal(8, ReportDom.Elements(figure, "series").Count);
    }

    [Fact]
    public void The_confusion_matrix_and_the_summary_table_agree_with_summary_json()
    {
        var summary = Summary;
        var confusion = ReportDom.Cells(ReportDom.Figure(_dom, "fig-confusion"), 10, 10);
        var total = confusion.Cast<double>().Sum();
        var trace = Enumerable.Range(0, 10).Sum(i => confusion[i, i]);
        Assert.Equal((double)(long)summary["test_images"]!, total);
        Assert.Equal((double)summary["final_test_accuracy"]!, trace / total, 1e-12);

        var rows = ReportDom.Elements(ReportDom.Figure(_dom, "fig-summary"), "summary-row");
        Assert.Equal(summary.Select(kv => kv.Key), rows.Select(r => r["data-key"]));
        Assert.Equal(summary.Select(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value!.ToJsonString()),
            rows.Select(r => r["data-value"]));
    }
}

/// <summary>One tiny search, its report, and the report as Chromium rendered it, shared by the tests of <see cref="ReportRunTests"/>.</summary>
public sealed class ReportedRun : IDisposable
{
    private readonly TempFolder _folder = new();

    public ReportedRun()
    {
        Run = Path.Combine(_folder.Path, "run");
        SearchRun.Start(TinyRuns.Options(TinyRuns.Data(_folder, train: 256, test: 100)), Run, null, CancellationToken.None);
        var result = DhaTool.Run("report", Run);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"report written to {Path.Combine(Run, "report.html")}", Assert.Single(result.OutputLines));
        (Dom, Console) = Chromium.Render(Path.Combine(Run, "report.html"), "--dump-dom");
    }

    internal string Run { get; }

    internal string Dom { get; }

    internal string[] Console { get; }

    public void Dispose() => _folder.Dispose();
}
