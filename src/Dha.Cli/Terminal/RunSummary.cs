using System.Text.Json.Nodes;
using Dha.Search;

namespace Dha.Cli.Terminal;

/// <summary>What a finished run's folder says about it, for the closing panel: <c>summary.json</c> and the policy's most likely pairs from the last line of <c>history.jsonl</c>.</summary>
/// <param name="Command">The command that made the run (<c>dha search</c>).</param>
/// <param name="TestAccuracy">Final test accuracy, a fraction.</param>
/// <param name="TestImages">Images in the test split.</param>
/// <param name="Top5Accuracy">Final top-5 test accuracy, a fraction (null in a run written before it was recorded).</param>
/// <param name="LearningRate">η at the end.</param>
/// <param name="WeightDecay">λ at the end.</param>
/// <param name="Parameters">Parameters of the saved network.</param>
/// <param name="Genotype">The architecture, in the DARTS notation.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="SearchEpochs">Of them, search epochs (null for a retraining).</param>
/// <param name="SearchEpochCap">The search's cap (null for a retraining).</param>
/// <param name="WallSeconds">Wall time over all the run's sessions.</param>
/// <param name="TopPairs">The policy's most likely op pairs as "first + second" and their probability (none without a learned policy).</param>
/// <param name="ModelDirectory">Where the model was saved.</param>
internal sealed record RunSummary(string Command, double TestAccuracy, int TestImages, double? Top5Accuracy, double LearningRate, double WeightDecay, long Parameters,
    string Genotype, int Epochs, int? SearchEpochs, int? SearchEpochCap, double WallSeconds, IReadOnlyList<(string Pair, double P)> TopPairs,
    string ModelDirectory)
{
    /// <summary>Pairs the panel names.</summary>
    internal const int Pairs = 3;

    public static RunSummary Read(string command, SearchResult result)
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(result.RunDirectory, SearchRun.SummaryFile)))!;
        var history = Path.Combine(result.RunDirectory, SearchRun.HistoryFile);
        var last = File.Exists(history) ? File.ReadLines(history).LastOrDefault(line => line.Length > 0) : null;
        var top = last is null ? null : JsonNode.Parse(last)?["policy_top"]?.AsArray();
        return new RunSummary(
            command,
            result.TestAccuracy,
            (int)summary["test_images"]!,
            (double?)summary["final_test_top5_accuracy"],
            (double)summary["learning_rate"]!,
            (double)summary["weight_decay"]!,
            (long)summary["parameter_count"]!,
            result.Genotype,
            result.Epochs,
            (int?)summary["search_epochs"],
            (int?)summary["planned_search_epochs"],
            result.WallSeconds,
            [.. (top ?? []).Take(Pairs).Select(pair => ($"{(string)pair!["first"]!} + {(string)pair["second"]!}", (double)pair["p"]!))],
            result.ModelDirectory);
    }
}
