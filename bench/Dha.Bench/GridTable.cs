using System.Globalization;
using System.Text.Json;
using Dha.Search;

namespace Dha.Bench;

/// <summary>
/// Prints the benchmark grid of <c>bench/grid.sh</c> as a Markdown table: one row per dataset and mode, over the
/// seeds found, with the mean ± sample standard deviation of the test accuracy, the mean wall and CPU time, and what
/// the learned parts did: the policy's entropy drop from uniform (ln 196) and the span of the learned η and λ as a
/// share of their start, from each run's <c>history.jsonl</c>.
/// </summary>
internal static class GridTable
{
    private static readonly double UniformEntropy = Math.Log(196);

    /// <summary>Usage: <c>grid-table DIR</c>, DIR holding <c>&lt;dataset&gt;/&lt;mode&gt;-s&lt;seed&gt;/summary.json</c>.</summary>
    public static int Run(string root, TextWriter output)
    {
        output.WriteLine("| dataset | mode | seeds | test accuracy % (mean ± std) | per seed | wall s | CPU s | entropy drop (nat) | η span | λ span |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var dataset in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var runs = Directory.GetDirectories(dataset)
                .Where(d => File.Exists(Path.Combine(d, "summary.json")))
                .Select(Read)
                .GroupBy(r => r.Mode);
            foreach (var mode in runs.OrderBy(g => ModeOrder(g.Key)))
            {
                var rows = mode.OrderBy(r => r.Seed).ToList();
                var accuracy = rows.Select(r => r.Accuracy * 100).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileName(dataset)} | {mode.Key} | {rows.Count} | {accuracy.Average():F2} ± {Std(accuracy):F2} | " +
                    $"{string.Join(" / ", accuracy.Select(a => a.ToString("F2", CultureInfo.InvariantCulture)))} | " +
                    $"{rows.Average(r => r.WallSeconds):F0} | {Mean(rows.Select(r => r.CpuSeconds))} | " +
                    $"{Mean(rows.Select(r => r.EntropyDrop), "F3")} | {Percent(rows.Select(r => r.EtaSpan))} | {Percent(rows.Select(r => r.LambdaSpan))} |"));
            }
        }
        return 0;
    }

    private static int ModeOrder(string mode) => Array.IndexOf(["dha", "nas", "nas+da", "nas+hpo", "retrain", "ista-two-stage", "ista-two-stage+da+hpo", "darts", "plain-cnn", "plain-cnn-15ep"], mode) is var i and >= 0 ? i : 99;

    private sealed record GridRun(string Mode, int Seed, double Accuracy, double WallSeconds, double? CpuSeconds, double? EntropyDrop, double? EtaSpan, double? LambdaSpan);

    private static GridRun Read(string folder)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var s = summary.RootElement;
        // The folder name says which row a run belongs to (the 15-epoch plain CNN shares its summary's mode).
        var mode = Path.GetFileName(folder)[..Path.GetFileName(folder).LastIndexOf("-s", StringComparison.Ordinal)];
        var cpuFile = Path.Combine(folder, "cpu-seconds");
        double? cpu = File.Exists(cpuFile) ? double.Parse(File.ReadAllText(cpuFile).Trim(), CultureInfo.InvariantCulture) : null;
        var (entropy, eta, lambda) = History(folder);
        return new GridRun(mode, s.GetProperty("seed").GetInt32(), s.GetProperty("final_test_accuracy").GetDouble(),
            s.GetProperty("wall_seconds").GetDouble(), cpu, entropy, eta, lambda);
    }

    /// <summary>The entropy drop of the last epoch, and η's and λ's learned span over the run relative to their start.</summary>
    private static (double? Entropy, double? Eta, double? Lambda) History(string folder)
    {
        var path = Path.Combine(folder, "history.jsonl");
        var configPath = Path.Combine(folder, "config.json");
        if (!File.Exists(path) || !File.Exists(configPath))
        {
            return (null, null, null);
        }
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        var train = config.RootElement.GetProperty("train");
        // the mode says what learned: a baseline that is no search mode (plain-cnn, retrain) learned neither
        var mode = config.RootElement.GetProperty("mode").GetString() ?? "";
        var known = SearchModes.All.Contains(mode);
        var learnsHyper = known && SearchModes.Parse(mode).LearnsHyperParameters();
        var learnsPolicy = known && SearchModes.Parse(mode).LearnsPolicy();
        var records = File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l)).ToList();
        try
        {
            // epochs in which η and λ did not step (a two-stage search) have no range
            var learned = records.Where(r => r.RootElement.TryGetProperty("learning_rate_min", out _)).ToList();
            double? Span(string low, string high, double start) => learnsHyper && learned.Count > 0
                ? (learned.Max(r => r.RootElement.GetProperty(high).GetDouble()) - learned.Min(r => r.RootElement.GetProperty(low).GetDouble())) / start
                : null;
            double? entropy = learnsPolicy && records.Count > 0
                ? UniformEntropy - records[^1].RootElement.GetProperty("policy_entropy").GetDouble()
                : null;
            return (entropy,
                Span("learning_rate_min", "learning_rate_max", train.GetProperty("learning_rate").GetDouble()),
                Span("weight_decay_min", "weight_decay_max", train.GetProperty("weight_decay").GetDouble()));
        }
        finally
        {
            records.ForEach(r => r.Dispose());
        }
    }

    private static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static string Mean(IEnumerable<double?> values, string format = "F0")
    {
        var known = values.OfType<double>().ToList();
        return known.Count == 0 ? "–" : known.Average().ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Percent(IEnumerable<double?> values)
    {
        var known = values.OfType<double>().ToList();
        return known.Count == 0 ? "–" : (known.Average() * 100).ToString("F0", CultureInfo.InvariantCulture) + " %";
    }
}
