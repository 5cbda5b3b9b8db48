using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dha.Nas;
using Dha.Search;

namespace Dha.Tests.Search;

public class MetricsJsonlWriterTests
{
    private static readonly EpochMetrics Metrics = new(0, "search", 2.25, 0.125, 2.5, 0.1, null, 0.025, 3e-4, double.NaN, 1, "genotype", 1.5);

    [Fact]
    public void A_line_keeps_the_epoch_fields_as_before_and_adds_the_recovery_of_its_epoch_only()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "metrics.jsonl");
        var writer = new MetricsJsonlWriter(path);
        var nodes = new[] { new NodeRecovery(CellType.Normal, 0, 0.5, false), new NodeRecovery(CellType.Reduce, 3, 1e-4, true) };
        writer.OnRecovery(new ArchitectureRecovery(0, new RecoveryReport(nodes, Accepted: false, FrozenCount: 1, ParameterMillions: 0.75, Skipped: false)));
        writer.OnEpochCompleted(Metrics);
        writer.OnEpochCompleted(Metrics with { Epoch = 1, Phase = "train" });

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        // the fields as the record serialised on its own wrote them (NaN as "NaN"), byte for byte
        var before = JsonSerializer.Serialize(Metrics with { Epoch = 1, Phase = "train" }, new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
        Assert.Equal(before, lines[1]);
        Assert.Contains("\"policy_entropy\":\"NaN\"", lines[1]);
        var first = JsonNode.Parse(lines[0])!.AsObject();
        Assert.Equal(before.Replace("\"epoch\":1,\"phase\":\"train\"", "\"epoch\":0,\"phase\":\"search\""), lines[0][..lines[0].IndexOf(",\"recovery\"", StringComparison.Ordinal)] + "}");
        var recovery = first["recovery"]!;
        Assert.False((bool)recovery["accepted"]!);
        Assert.False((bool)recovery["skipped"]!);
        Assert.Equal(1, (int)recovery["frozen_nodes"]!);
        Assert.Equal(0.75, (double)recovery["parameter_millions"]!);
        var written = recovery["nodes"]!.AsArray().Select(n => new NodeRecovery(
            Enum.Parse<CellType>((string)n!["cell"]!, ignoreCase: true), (int)n["node"]!, (double)n["distance"]!, (bool)n["frozen"]!));
        Assert.Equal(nodes, written);
    }
}
