using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dha.Search;

/// <summary>Appends one JSON line per completed epoch to a run's <c>metrics.jsonl</c>.</summary>
public sealed class MetricsJsonlWriter : ISearchObserver
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string _path;

    /// <param name="path">The file; created if missing, appended to otherwise.</param>
    public MetricsJsonlWriter(string path)
    {
        _path = path;
    }

    public void OnEpochCompleted(EpochMetrics metrics)
    {
        using var append = new StreamWriter(_path, append: true);
        append.WriteLine(JsonSerializer.Serialize(metrics, Json));
    }

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
