using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dha.Nas;

namespace Dha.Search;

/// <summary>
/// Appends one JSON line per completed epoch to a run's <c>metrics.jsonl</c>: the fields of <see cref="EpochMetrics"/>
/// and, for a search epoch that ended with a recovery of the architecture (every one but the last), <c>recovery</c>.
/// </summary>
internal sealed class MetricsJsonlWriter : ISearchObserver
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _path;

    // the recovery of the epoch in progress: reported just before the epoch's metrics
    private RecoveryReport? _recovery;

    /// <param name="path">The file; created if missing, appended to otherwise.</param>
    public MetricsJsonlWriter(string path)
    {
        _path = path;
    }

    public void OnRecovery(ArchitectureRecovery recovery) => _recovery = recovery.Report;

    public void OnEpochCompleted(EpochMetrics metrics)
    {
        var line = JsonSerializer.SerializeToNode(metrics, Json)!.AsObject();
        if (_recovery is { } report)
        {
            line["recovery"] = Recovery(report);
        }
        _recovery = null;
        using var append = new StreamWriter(_path, append: true);
        append.WriteLine(line.ToJsonString(Json));
    }

    /// <summary>
    /// The <c>recovery</c> field: whether the recovered x was accepted (rejected at the parameter limit), whether
    /// recovery was skipped, the frozen count, the genotype's size in millions, and per node its distance to the last
    /// x and its freeze flag, so a user can see why a node froze or did not.
    /// </summary>
    private static JsonObject Recovery(RecoveryReport report) => new()
    {
        ["accepted"] = report.Accepted,
        ["skipped"] = report.Skipped,
        ["frozen_nodes"] = report.FrozenCount,
        ["parameter_millions"] = report.ParameterMillions,
        ["nodes"] = new JsonArray([.. report.Nodes.Select(n => (JsonNode?)new JsonObject
        {
            ["cell"] = n.Type.ToString().ToLowerInvariant(),
            ["node"] = n.Node,
            ["distance"] = n.Distance,
            ["frozen"] = n.Frozen,
        })]),
    };

    /// <summary>
    /// Keeps the first <paramref name="epochs"/> lines (atomically): a resumed run does again the epochs completed
    /// after its checkpoint was written, so their lines go.
    /// </summary>
    public static void KeepFirst(string path, int epochs)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        var keep = lines.Where(l => l.Length > 0).Take(epochs);
        AtomicFile.WriteAllText(path, string.Concat(keep.Select(l => l + "\n")));
    }
}
