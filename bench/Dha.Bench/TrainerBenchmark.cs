using System.Globalization;
using Dha.Search;

namespace Dha.Bench;

/// <summary>
/// Runs the <c>small</c> preset (shortened unless <c>--full</c>) and prints the figures of a training step: median
/// seconds per step in each phase, images per second, the share of step time spent waiting for data (loading and
/// augmentation that prefetching did not hide), and resident memory after the first epoch, at the end, and at peak.
/// </summary>
internal static class TrainerBenchmark
{
    public static void Run(TextWriter output, bool full, string mode)
    {
        var options = Presets.Get("small") with { Mode = SearchModes.Parse(mode) };
        if (!full)
        {
            options = options with { Train = options.Train with { Steps = 0, SearchEpochs = 1, RetrainEpochs = 1 } };
        }
        var directory = Path.Combine(Path.GetTempPath(), $"dha-bench-{Environment.ProcessId}");
        var recorder = new Recorder();
        try
        {
            var result = SearchRun.Start(options, directory, recorder, CancellationToken.None);
            var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, SearchRun.SummaryFile)))!;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"trainer: preset small{(full ? "" : " (1 search + 1 train epoch)")}, mode {mode}, batch {options.Data.BatchSize}, C={options.Network.Channels}, {options.Network.Layers} cells, {TorchSharp.torch.get_num_threads()} threads"));
            foreach (var phase in new[] { SearchPhase.Search, SearchPhase.Train })
            {
                var steps = recorder.Steps.Where(s => s.Phase == phase).Skip(2).ToList(); // skip warm-up steps
                if (steps.Count == 0)
                {
                    continue;
                }
                var median = Median(steps.Select(s => s.StepSeconds));
                var wait = steps.Sum(s => s.WaitSeconds) / steps.Sum(s => s.StepSeconds);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {phase,-6} median step {median:F4} s   {options.Data.BatchSize / median:F0} images/s   waiting for data {wait:P1} of step time   ({steps.Count} steps)"));
            }
            var byEpoch = recorder.Steps.GroupBy(s => s.Epoch).Select(g => $"{g.Key + 1}: {Median(g.Select(s => s.StepSeconds)):F3}");
            output.WriteLine($"  median step by epoch (s): {string.Join("  ", byEpoch)}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  test accuracy {result.TestAccuracy:P2}, wall {result.WallSeconds:F1} s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  RSS after first epoch {(double?)summary["rss_after_first_epoch_mib"]:F0} MiB, at end {(double)summary["rss_end_mib"]!:F0} MiB, peak {(double)summary["peak_rss_mib"]!:F0} MiB"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  garbage collections: {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2; {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MiB allocated, {GC.GetTotalPauseDuration().TotalSeconds:F1} s paused"));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Recorder : ISearchObserver
    {
        public List<StepMetrics> Steps { get; } = [];

        public void OnStepCompleted(StepMetrics metrics) => Steps.Add(metrics);
    }
}
