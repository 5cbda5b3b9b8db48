using System.Text.Json.Nodes;
using Dha.Search;
using Dha.Tests.Search;

namespace Dha.Tests.TensorBoard;

[Collection("EndToEnd")]
[EndToEnd]
public class TensorBoardRunTests
{
    [Fact]
    public void The_event_file_of_a_run_holds_every_step_and_the_metrics_jsonl_of_every_epoch()
    {
        using var folder = new TempFolder();
        var run = Path.Combine(folder.Path, "run");
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var options = TinyRuns.Options(TinyRuns.Data(folder));
        SearchRun.Start(options with { Train = options.Train with { TestEveryEpoch = true } }, run, null, CancellationToken.None);

        var files = Directory.GetFiles(Path.Combine(run, "tensorboard"));
        var file = Assert.Single(files);
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(file));
        var events = EventFileReader.Read(file);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.All(events, e => Assert.InRange(e.WallTime, started - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1));
        var scalars = EventFileReader.Scalars(events);

        var lines = File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        var stepsPerEpoch = (int)summary["steps_per_epoch"]!;
        var steps = (long)summary["steps"]!;
        Assert.Equal(3, lines.Length);
        Assert.Equal(steps, lines.Length * stepsPerEpoch);
        // one value per step for every per-step tag, none missing or doubled
        foreach (var tag in new[] { "step/train_loss", "step/train_accuracy", "step/learning_rate", "step/weight_decay", "step/policy_entropy", "step/seconds", "step/wait_seconds" })
        {
            Assert.Equal(Enumerable.Range(1, (int)steps).Select(s => (long)s), scalars.Keys.Where(k => k.Tag == tag).Select(k => k.Step).Order());
        }

        var recoveries = 0;
        foreach (var line in lines)
        {
            var epoch = (int)line["epoch"]!;
            var end = (epoch + 1L) * stepsPerEpoch;
            foreach (var key in new[] { "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "test_accuracy", "learning_rate", "weight_decay", "policy_entropy", "frozen_nodes", "seconds" })
            {
                Assert.Equal((float)(double)line[key]!, scalars[($"epoch/{key}", end)]);
            }
            // the running train loss and accuracy of an epoch's last step are the epoch's
            Assert.Equal((float)(double)line["train_loss"]!, scalars[("step/train_loss", end)]);
            Assert.Equal((float)(double)line["train_accuracy"]!, scalars[("step/train_accuracy", end)]);
            var texts = events.Where(e => e.Step == end).SelectMany(e => e.Values).Where(v => v.Plugin == "text").ToDictionary(v => v.Tag, v => v.Text!);
            // TorchSharp's text summary, as PyTorch's add_text, files a text under TAG/text_summary
            Assert.Contains((string)line["genotype"]!, texts["genotype/text_summary"]);
            Assert.Equal(LearningHistoryWriter.TopPairs, texts["policy/top_pairs/text_summary"].Split('\n').Count(r => r.StartsWith("| ", StringComparison.Ordinal)) - 1);

            if (line["recovery"] is JsonObject recovery)
            {
                recoveries++;
                Assert.Equal((bool)recovery["accepted"]! ? 1f : 0f, scalars[("recovery/accepted", end)]);
                Assert.Equal((float)(int)recovery["frozen_nodes"]!, scalars[("recovery/frozen_nodes", end)]);
                // measured only under a parameter limit
                Assert.Equal(recovery["parameter_millions"] is { } millions ? (float?)(double)millions : null,
                    scalars.TryGetValue(("recovery/parameter_millions", end), out var tensorBoardMillions) ? tensorBoardMillions : null);
                var nodes = recovery["nodes"]!.AsArray();
                Assert.Equal(8, nodes.Count);
                foreach (var node in nodes)
                {
                    Assert.Equal((float)(double)node!["distance"]!, scalars[($"recovery/distance/{(string)node["cell"]!}_{(int)node["node"]!}", end)]);
                }
                Assert.Equal(9, texts["recovery/text_summary"].Split('\n').Count(r => r.StartsWith("| ", StringComparison.Ordinal)));
            }
            else
            {
                Assert.DoesNotContain(scalars.Keys, k => k.Step == end && k.Tag.StartsWith("recovery/", StringComparison.Ordinal));
            }
        }
        // two search epochs: a recovery ends the first; none after the last (the search ends at its cap)
        Assert.Equal(1, recoveries);
        Assert.True(lines[0].ContainsKey("recovery"));
    }
}
