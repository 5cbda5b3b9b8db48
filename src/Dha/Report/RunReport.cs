using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Evaluation;
using Dha.Export;
using Dha.Nas;
using Dha.Search;

namespace Dha.Report;

/// <summary>
/// <c>dha report RUN</c>: one self-contained HTML page (<c>report.html</c> in the run folder) of what the run did,
/// drawn from its files: the loss and accuracy curves and η and λ over the steps (event files and
/// <c>metrics.jsonl</c>), the policy's final 14×14 probabilities and their change per epoch (<c>policy.json</c>,
/// <c>history.jsonl</c>), the most likely op pairs on test images, the two cells of the genotype, the recovery's
/// distances per node, the confusion matrix of the saved model on the run's test split, and <c>summary.json</c>.
/// The figures are SVG written here rather than by a plotting library: each is a few dozen lines, and each carries
/// its data in <c>data-*</c> attributes, so what a figure shows can be checked against the run's files.
/// </summary>
internal static class RunReport
{
    /// <summary>The page's name in the run folder.</summary>
    public const string FileName = "report.html";

    /// <summary>How many of the most likely op pairs are shown on images.</summary>
    public const int TopPairs = 5;

    /// <summary>How many test images each op pair is shown on.</summary>
    public const int SampleImages = 8;

    /// <summary>Writes <c>report.html</c> into <paramref name="runDirectory"/> (atomically) and returns its path.</summary>
    /// <param name="runDirectory">A run folder (of <c>dha search</c> or <c>dha train</c>), finished or not.</param>
    /// <param name="data">The dataset of the run's test split; null: the one the model was trained on.</param>
    /// <exception cref="InvalidInputException">Not a run folder, a damaged file in it, or data that does not fit the model.</exception>
    public static string Write(string runDirectory, string? data = null)
    {
        var run = RunRecords.Read(runDirectory);
        var page = new ReportPage($"dha report: {Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar))}");
        page.Paragraph(Headline(run));
        page.Section("Summary");
        SummaryTable(page, run);
        page.Section("Training");
        Curves(page, run);
        page.Section("Augmentation policy");
        PolicyFigures(page, run);
        var modelDirectory = Path.Combine(runDirectory, SearchRun.ModelFolder);
        if (Directory.Exists(modelDirectory))
        {
            using var bundle = ModelBundle.Load(modelDirectory);
            using var loaded = ModelTestSplit.Load(bundle.Manifest, data ?? bundle.Manifest.Dataset);
            TopPairFigure(page, run, loaded.Test.Images, bundle.Manifest.Mean);
            page.Section("Architecture");
            GenotypeFigure(page, run);
            RecoveryFigure(page, run);
            page.Section("Test split");
            var test = Evaluator.Evaluate(images => bundle.Network.forward(images).Logits, loaded.Test, bundle.Manifest.Mean, bundle.Manifest.Std);
            ConfusionFigure(page, test);
        }
        else
        {
            page.Missing("fig-top-pairs", "No model yet (the run has not finished): the samples are drawn on its test split.");
            page.Section("Architecture");
            GenotypeFigure(page, run);
            RecoveryFigure(page, run);
            page.Section("Test split");
            page.Missing("fig-confusion", "No model yet (the run has not finished).");
        }
        var path = Path.Combine(runDirectory, FileName);
        AtomicFile.WriteAllText(path, page.Html());
        return path;
    }

    private static string Headline(RunRecords run)
    {
        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"Mode {run.Options.Mode.ToText()}, {run.Epochs.Count} epochs recorded"));
        if (run.Summary?["final_test_accuracy"] is JsonValue accuracy && accuracy.TryGetValue<double>(out var a))
        {
            text.Append(CultureInfo.InvariantCulture, $", test accuracy {a:P2}");
        }
        if (run.Summary?["dataset"] is JsonValue dataset)
        {
            text.Append(CultureInfo.InvariantCulture, $", data {dataset}");
        }
        return text.Append('.').ToString();
    }

    private static void SummaryTable(ReportPage page, RunRecords run)
    {
        if (run.Summary is null)
        {
            page.Missing("fig-summary", $"No {SearchRun.SummaryFile} yet (the run has not finished).");
            return;
        }
        var table = new StringBuilder("<table class=\"summary\">");
        foreach (var (key, value) in run.Summary)
        {
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : value?.ToJsonString() ?? "null";
            var number = value is JsonValue n && n.TryGetValue<double>(out _);
            table.Append(CultureInfo.InvariantCulture, $"<tr class=\"summary-row\" data-key=\"{Svg.Escape(key)}\" data-value=\"{Svg.Escape(text)}\"><th>{Svg.Escape(key)}</th><td{(number ? " class=\"number\"" : "")}>{Svg.Escape(text)}</td></tr>");
        }
        page.Figure("fig-summary", $"{SearchRun.SummaryFile}", table.Append("</table>").ToString());
    }

    private static void Curves(ReportPage page, RunRecords run)
    {
        var perEpoch = (Func<EpochMetrics, double?> value) =>
            (IReadOnlyList<(double, double)>)[.. run.Epochs.Where(e => value(e.Metrics) is not null).Select(e => ((double)run.EpochEndStep(e.Metrics.Epoch), value(e.Metrics)!.Value))];
        var step = (string tag) => (IReadOnlyList<(double, double)>)(run.StepScalars.TryGetValue(tag, out var s)
            ? [.. s.Select(p => ((double)p.Key, p.Value))] : []);
        const string stepNote = " Thin line: the epoch's running mean at every step (event files); dots joined: the epoch's value at its last step (metrics.jsonl).";
        page.Figure("fig-loss", "Loss (cross-entropy)." + stepNote, LineChart.Render("step", "loss", [
            new("step_train_loss", "train (per step)", "#9ecae1", step("step/train_loss"), 1),
            new("train_loss", "train", "#1f77b4", perEpoch(m => m.TrainLoss)),
            new("validation_loss", "validation", "#d62728", perEpoch(m => m.ValidationLoss)),
        ]));
        page.Figure("fig-accuracy", "Accuracy." + stepNote, LineChart.Render("step", "accuracy", [
            new("step_train_accuracy", "train (per step)", "#9ecae1", step("step/train_accuracy"), 1),
            new("train_accuracy", "train", "#1f77b4", perEpoch(m => m.TrainAccuracy)),
            new("validation_accuracy", "validation", "#d62728", perEpoch(m => m.ValidationAccuracy)),
            new("test_accuracy", "test", "#2ca02c", perEpoch(m => m.TestAccuracy)),
        ]));
        page.Figure("fig-learning-rate", "Learning rate η: as each step used it (event files), and at each epoch's end (metrics.jsonl).", LineChart.Render("step", "η", [
            new("step_learning_rate", "η (per step)", "#ff7f0e", step("step/learning_rate"), 1),
            new("learning_rate", "η (epoch end)", "#8c564b", perEpoch(m => m.LearningRate)),
        ]));
        page.Figure("fig-weight-decay", "Weight decay λ: as each step used it (event files), and at each epoch's end (metrics.jsonl).", LineChart.Render("step", "λ", [
            new("step_weight_decay", "λ (per step)", "#9467bd", step("step/weight_decay"), 1),
            new("weight_decay", "λ (epoch end)", "#8c564b", perEpoch(m => m.WeightDecay)),
        ]));
    }

    private static void PolicyFigures(ReportPage page, RunRecords run)
    {
        var names = Enum.GetValues<AugmentOp>().Select(o => o.ToText()).ToArray();
        if (run.Policy is null)
        {
            page.Missing("fig-policy", $"No {SearchRun.PolicyFile}: this run learns no augmentation policy.");
            page.Missing("fig-policy-change", "No per-epoch policy in history.jsonl.");
            return;
        }
        page.Figure("fig-policy", $"Final policy p (policy.json): the probability of each op pair, first op by row, second op by column (uniform: {1.0 / PairSampler.PairCount:G3}).",
            Heatmap.Render(run.Policy, names, names, 22));
        var snapshots = run.PolicySnapshots().ToArray();
        if (snapshots.Length == 0)
        {
            page.Missing("fig-policy-change", "No per-epoch policy in history.jsonl.");
            return;
        }
        // θ starts equal everywhere, so the first epoch's change is from the uniform policy
        var previous = Uniform(AugmentOpNames.Count);
        var multiples = new StringBuilder("<div class=\"small-multiples\">");
        foreach (var (epoch, p) in snapshots)
        {
            var change = new double[AugmentOpNames.Count, AugmentOpNames.Count];
            for (var i = 0; i < AugmentOpNames.Count; i++)
            {
                for (var j = 0; j < AugmentOpNames.Count; j++)
                {
                    change[i, j] = p[i, j] - previous[i, j];
                }
            }
            multiples.Append(CultureInfo.InvariantCulture, $"<div class=\"epoch-change\" data-epoch=\"{epoch.Epoch}\">{Heatmap.Render(change, null, null, 7, diverging: true)}<br>epoch {epoch.Epoch} ({epoch.Phase})</div>");
            previous = p;
        }
        page.Figure("fig-policy-change", "Change of p in each epoch (history.jsonl): blue rose, red fell; each epoch on its own scale (hover a cell for its value).",
            multiples.Append("</div>").ToString());
    }

    private static double[,] Uniform(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                m[i, j] = 1.0 / (n * n);
            }
        }
        return m;
    }

    private static void TopPairFigure(ReportPage page, RunRecords run, TorchSharp.torch.Tensor images, float[] mean)
    {
        if (run.Policy is null)
        {
            page.Missing("fig-top-pairs", $"No {SearchRun.PolicyFile}: this run learns no augmentation policy.");
            return;
        }
        var fill = BatchAugmenter.FillColour(mean);
        var indices = AugmentationSamples.Pick(images, SampleImages);
        var levelMap = run.Options.Da.LevelMap;
        var flat = run.Policy.Cast<double>().ToArray();
        var table = new StringBuilder("<table class=\"top-pairs\">");
        table.Append(CultureInfo.InvariantCulture, $"<tr class=\"original\"><th>original</th><td></td><td>{Images(AugmentationSamples.Augmented(images, indices, AugmentOp.Identity, AugmentOp.Identity, levelMap, fill))}</td></tr>");
        foreach (var (first, second, p) in OpPairPolicy.MostLikely(flat, TopPairs))
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr class=\"pair\" data-first=\"{first.ToText()}\" data-second=\"{second.ToText()}\" data-p=\"{Svg.Value(p)}\">");
            table.Append(CultureInfo.InvariantCulture, $"<th>{first.ToText()} → {second.ToText()}</th><td class=\"number\">{p:P2}</td>");
            table.Append(CultureInfo.InvariantCulture, $"<td>{Images(AugmentationSamples.Augmented(images, indices, first, second, levelMap, fill))}</td></tr>");
        }
        page.Figure("fig-top-pairs", string.Create(CultureInfo.InvariantCulture,
            $"The {TopPairs} most likely op pairs of the final policy, each on {indices.Length} test images: first op, then second, both at level {AugmentationSamples.Level} of {OpTable.MaxLevel} ({OptionTexts.LevelMap.ToText(levelMap)} level map), before flip and Cutout."),
            table.Append("</table>").ToString());
    }

    private static string Images(byte[][] pngs) =>
        string.Concat(pngs.Select(png => $"<img class=\"sample\" alt=\"\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\">"));

    private static void GenotypeFigure(ReportPage page, RunRecords run)
    {
        if (run.Genotype is null)
        {
            page.Missing("fig-genotype", $"No {SearchRun.GenotypeFile} yet.");
            return;
        }
        page.Figure("fig-genotype", $"The genotype ({SearchRun.GenotypeFile}): the normal cell, then the reduction cell. Node i reads two states; the cell's output is the concatenation of its 4 nodes. Blue: convolutions, green: pools, orange: skip.",
            CellGraph.Render(CellType.Normal, run.Genotype.Normal) + CellGraph.Render(CellType.Reduce, run.Genotype.Reduce));
    }

    private static void RecoveryFigure(ReportPage page, RunRecords run)
    {
        var recoveries = run.Epochs.Where(e => e.Recovery is not null).ToArray();
        if (recoveries.Length == 0)
        {
            page.Missing("fig-recovery", "No architecture recovery in metrics.jsonl (one ends every search epoch but the last).");
            return;
        }
        var series = recoveries
            .SelectMany(e => e.Recovery!["nodes"]?.AsArray() ?? [], (e, node) => (Epoch: e.Metrics.Epoch, Node: node!))
            .GroupBy(x => $"{x.Node["cell"]}_{x.Node["node"]}")
            .Select((g, i) => new ChartSeries(g.Key, g.Key, Palette[i % Palette.Length],
                [.. g.Select(x => ((double)x.Epoch, x.Node["distance"]!.GetValue<double>()))]))
            .ToArray();
        page.Figure("fig-recovery", "Architecture recovery (metrics.jsonl): each node's distance to the last recovered code at the end of each search epoch; a node freezes when it stops moving.",
            LineChart.Render("epoch", "distance", series));
    }

    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    private static void ConfusionFigure(ReportPage page, ClassificationMetrics test)
    {
        var classes = test.ClassNames.Count;
        var counts = new double[classes, classes];
        for (var r = 0; r < classes; r++)
        {
            for (var c = 0; c < classes; c++)
            {
                counts[r, c] = test.Confusion[r, c];
            }
        }
        page.Figure("fig-confusion", string.Create(CultureInfo.InvariantCulture,
            $"Confusion matrix of the saved model on the run's {test.Count} test images (rows: true class, columns: predicted), accuracy {test.Accuracy:P2}."),
            Heatmap.Render(counts, test.ClassNames, test.ClassNames, 34, annotate: true));
    }
}
