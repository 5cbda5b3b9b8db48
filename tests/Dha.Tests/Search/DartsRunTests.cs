using System.Globalization;
using System.Text.Json.Nodes;
using Dha.Nas;
using Dha.Search;
using Dha.Tests.Cli;

namespace Dha.Tests.Search;

/// <summary>Mode <c>darts</c>: a DARTS search, then its genotype retrained from scratch, in one run folder.</summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class DartsRunTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _data;

    public DartsRunTests()
    {
        _data = TinyRuns.Data(_folder);
    }

    public void Dispose() => _folder.Dispose();

    private string Folder(string name) => Path.Combine(_folder.Path, name);

    private static byte[] Weights(string run) => File.ReadAllBytes(Path.Combine(run, SearchRun.ModelFolder, "weights.bin"));

    [Fact]
    public void A_tiny_darts_run_searches_then_retrains_into_a_model_that_evaluate_accepts()
    {
        var run = Folder("run");
        var result = DhaTool.Run(["search", "--mode", "darts", "--data", _data, "--out", run, "--quiet",
            .. new[] { "threads=1", "data.batch_size=32", "network.channels=4", "network.layers=3", "train.steps=16", "train.search_fraction=0.5", "architecture.order=1" }
                .SelectMany(s => new[] { "--set", s })]);
        Assert.True(result.ExitCode == 0, result.Error);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        Assert.Equal("darts", (string)summary["mode"]!);
        // 8 steps of search and 8 of retraining, each in 2 epochs of 4 steps (RunBudget.ForSteps)
        Assert.Equal(2, (int)summary["search_epochs"]!);
        Assert.Equal(2, (int)summary["retrain_epochs"]!);
        Assert.Equal(4, (int)summary["steps_per_epoch"]!);
        Assert.Equal(16, (long)summary["steps"]!);
        var lines = File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile)).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Equal(["search", "search", "retrain", "retrain"], lines.Select(l => (string)l["phase"]!));
        Assert.Equal([0, 1, 2, 3], lines.Select(l => (int)l["epoch"]!));
        // the genotype retrained is the one the search's last epoch reported, and the model's
        var genotype = Genotype.FromJson(File.ReadAllText(Path.Combine(run, SearchRun.GenotypeFile)));
        Assert.Equal(genotype.ToString(), (string)lines[1]["genotype"]!);
        Assert.Equal(genotype.ToString(), (string)summary["genotype"]!);
        Assert.Equal(genotype.ToString(), (string)lines[2]["genotype"]!);

        var accuracy = (double)summary["final_test_accuracy"]!;
        var evaluation = DhaTool.Run("evaluate", run, "--data", _data);
        Assert.True(evaluation.ExitCode == 0, evaluation.Error);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:P2} on 128 test images"), evaluation.OutputLines[0]);
    }

    [Fact]
    public void A_darts_run_killed_in_its_search_and_in_its_retraining_resumes_to_the_same_model()
    {
        var options = TinyRuns.Options(_data, "darts").WithOverrides(["train.steps=24", "train.search_fraction=0.5"]);
        var whole = Folder("whole");
        var stopped = Folder("stopped");
        var expected = SearchRun.Start(options, whole, null, CancellationToken.None);
        // second order; 2 search epochs of 6 steps, then 2 retraining epochs of 6: stopped at step 4 of the search,
        // then at step 4 of the retraining
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, stopped, new CancelAfter(4, cancel), cancel.Token));
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Resume(stopped, new CancelAfter(12, cancel), cancel.Token));
        }
        Assert.Equal(2, File.ReadAllLines(Path.Combine(stopped, SearchRun.MetricsFile)).Length);

        var resumed = DhaTool.Run("search", "--resume", stopped, "--quiet");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(TinyRuns.MetricsWithoutTime(whole), TinyRuns.MetricsWithoutTime(stopped));
        Assert.Equal(Weights(whole), Weights(stopped));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, SearchRun.GenotypeFile)), File.ReadAllText(Path.Combine(stopped, SearchRun.GenotypeFile)));
        Assert.Equal(expected.Genotype, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(stopped, SearchRun.SummaryFile)))!["genotype"]!);
    }
}
