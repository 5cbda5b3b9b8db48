using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Search;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
[EndToEnd]
public class LearningHistoryTests
{
    [Fact]
    public void A_dha_run_records_eta_lambda_and_the_policy_of_every_epoch()
    {
        using var folder = new TempFolder();
        // without the envelope, the rate the steps used is the learned η itself, inside the range of its trajectory
        var options = TinyRuns.Options(TinyRuns.Data(folder)).WithOverrides(["hpo.envelope=none"]);
        var run = Path.Combine(folder.Path, "run");
        SearchRun.Start(options, run, null, CancellationToken.None);

        var lines = File.ReadAllLines(Path.Combine(run, SearchRun.HistoryFile)).Select(l => JsonNode.Parse(l)!).ToArray();
        var metrics = File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal([0, 1, 2], lines.Select(l => (int)l["epoch"]!));
        Assert.Equal(metrics.Select(m => (string)m["phase"]!), lines.Select(l => (string)l["phase"]!));
        foreach (var (line, m) in lines.Zip(metrics))
        {
            var eta = (double)line["learning_rate"]!;
            Assert.Equal((double)m["learning_rate"]!, eta);
            Assert.InRange(eta, (double)line["learning_rate_min"]!, (double)line["learning_rate_max"]!);
            Assert.InRange((double)line["weight_decay"]!, (double)line["weight_decay_min"]!, (double)line["weight_decay_max"]!);
            Assert.InRange((double)line["learning_rate_min"]!, options.Hpo.LearningRateLow, options.Hpo.LearningRateHigh);

            // p, its entropy and the top pairs, computed here from θ alone
            var theta = line["policy_theta"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(196, theta.Length);
            var max = theta.Max();
            var z = theta.Sum(t => Math.Exp(t - max));
            var p = theta.Select(t => Math.Exp(t - max) / z).ToArray();
            Assert.Equal((double)m["policy_entropy"]!, -p.Sum(v => v * Math.Log(v)), 12);
            Assert.Equal((double)m["policy_entropy"]!, (double)line["policy_entropy"]!);
            var top = line["policy_top"]!.AsArray();
            Assert.Equal(5, top.Count);
            var expected = Enumerable.Range(0, 196).OrderByDescending(k => p[k]).Take(5).ToArray();
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(((AugmentOp)(expected[i] / 14)).ToText(), (string)top[i]!["first"]!);
                Assert.Equal(((AugmentOp)(expected[i] % 14)).ToText(), (string)top[i]!["second"]!);
                Assert.Equal(p[expected[i]], (double)top[i]!["p"]!, 14);
            }
        }
        // the policy moved over the run, and the last line is the policy.json of the finished run
        Assert.NotEqual(lines[0]["policy_theta"]!.ToJsonString(), lines[^1]["policy_theta"]!.ToJsonString());
        var policy = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.PolicyFile)))!;
        Assert.Equal(
            policy["theta"]!.AsArray().SelectMany(row => row!.AsArray().Select(v => (double)v!)),
            lines[^1]["policy_theta"]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public void Modes_that_learn_neither_record_only_the_fixed_rates()
    {
        using var folder = new TempFolder();
        // a constant rate (no cosine: its floor equals the rate), so every epoch records the same fixed value
        var options = TinyRuns.Options(TinyRuns.Data(folder, 128, 32), "nas").WithOverrides(["train.learning_rate_min=0.025"]);
        var run = Path.Combine(folder.Path, "run");
        SearchRun.Start(options, run, null, CancellationToken.None);

        var lines = File.ReadAllLines(Path.Combine(run, SearchRun.HistoryFile)).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Equal(
            ["epoch", "phase", "learning_rate", "weight_decay"], l.Select(p => p.Key)));
        Assert.All(lines, l => Assert.Equal(options.Train.LearningRate, (double)l["learning_rate"]!));
    }
}
