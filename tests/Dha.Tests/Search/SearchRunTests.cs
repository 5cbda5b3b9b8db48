using System.Text.Json.Nodes;
using Dha.Evaluation;
using Dha.Export;
using Dha.Search;
using Dha.Tests.TensorBoard;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
[EndToEnd]
public class SearchRunTests
{
    [Theory]
    [InlineData("dha")]
    [InlineData("nas")]
    [InlineData("nas+da")]
    [InlineData("nas+hpo")]
    public void Every_mode_runs_and_writes_every_file(string mode)
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(TinyRuns.Data(folder), mode);
        var run = Path.Combine(folder.Path, "run");
        var result = SearchRun.Start(options, run, null, CancellationToken.None);

        foreach (var file in new[] { "config.json", "genotype.json", "metrics.jsonl", "summary.json", "checkpoint.bin", "model/model.json", "model/weights.bin" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing for mode {mode}");
        }
        Assert.Equal(mode is "dha" or "nas+da", File.Exists(Path.Combine(run, "policy.json")));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        Assert.Equal(mode, (string)summary["mode"]!);
        Assert.Equal(3, (int)summary["total_epochs"]!);
        Assert.Equal(2, (int)summary["search_epochs"]!);
        Assert.Equal(result.TestAccuracy, (double)summary["final_test_accuracy"]!);
        Assert.InRange((long)summary["parameter_count"]!, 1, 1_000_000);
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            var m = JsonNode.Parse(line)!;
            foreach (var key in new[] { "phase", "train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "learning_rate", "weight_decay", "policy_entropy", "frozen_nodes", "seconds" })
            {
                Assert.True(m.AsObject().ContainsKey(key), $"metrics line lacks {key}");
            }
        }
        // the config saved with the run reproduces the options
        Assert.Equal(options.ToJson(), SearchOptions.FromFile(Path.Combine(run, "config.json")).ToJson());
        // learning actually happened: twice chance (10 classes) on the test images, after 48 steps on 512 images
        Assert.True(result.TestAccuracy > 0.2, $"test accuracy {result.TestAccuracy}");
        // the saved model gives the reported accuracy when loaded back
        using var bundle = ModelBundle.Load(result.ModelDirectory);
        using var data = Dha.Data.DatasetLocator.Load(options.Data.Path);
        var again = Evaluator.Evaluate(x => bundle.Network.forward(x).Logits, data.Test, bundle.Manifest.Mean, bundle.Manifest.Std);
        Assert.Equal(result.TestAccuracy, again.Accuracy, 10);
        Assert.Equal(again.Top5Accuracy, (double)summary["final_test_top5_accuracy"]!, 10);
        Assert.InRange(again.Top5Accuracy, again.Accuracy, 1);
    }

    [Fact]
    public void The_reference_imagenet_options_run_label_smoothing_step_decay_and_random_resampling()
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(TinyRuns.Data(folder), "nas+da").WithOverrides(
            ["train.retrain_epochs=2", "train.label_smoothing=0.1", "train.schedule=step", "train.decay_period=1", "train.decay_gamma=0.5", "da.resampling=random"]);
        var run = Path.Combine(folder.Path, "run");
        SearchRun.Start(options, run, null, CancellationToken.None);

        var epochs = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToArray();
        // each line reports the rate of the step after it: constant in phase A, then ×0.5 per phase B epoch (StepLR)
        Assert.Equal([0.025, 0.025, 0.0125, 0.00625], epochs.Select(e => Math.Round((double)e["learning_rate"]!, 12)));
        Assert.Equal("step", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(run, "config.json")))!["train"]!["schedule"]!);
        Assert.All(epochs, e => Assert.True(double.IsFinite((double)e["train_loss"]!)));
    }

    [Fact]
    public void A_run_killed_mid_epoch_and_resumed_ends_exactly_like_an_uninterrupted_one()
    {
        using var folder = new TempFolder();
        var (options, straight, expected) = Uninterrupted(folder);
        var resumed = Path.Combine(folder.Path, "resumed");
        // stop twice: mid-epoch in phase A (step 7 of 16), then inside phase B
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, resumed, new CancelAfter(7, cancel), cancel.Token));
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Resume(resumed, new CancelAfter(28, cancel), cancel.Token));
        }
        var actual = SearchRun.Resume(resumed, null, CancellationToken.None);

        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(TinyRuns.MetricsWithoutTime(straight), TinyRuns.MetricsWithoutTime(resumed));
        // history.jsonl: cut back on resume like metrics.jsonl, so no epoch is missing or doubled
        Assert.Equal(File.ReadAllLines(Path.Combine(straight, SearchRun.HistoryFile)), File.ReadAllLines(Path.Combine(resumed, SearchRun.HistoryFile)));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "policy.json")), File.ReadAllText(Path.Combine(resumed, "policy.json")));
        // TensorBoard: a file per session, cut back on resume, so every step and epoch is there once with its value
        Assert.Equal(3, Directory.GetFiles(Path.Combine(resumed, "tensorboard")).Length);
        Assert.Equal(EventFileReader.ScalarsWithoutTime(straight), EventFileReader.ScalarsWithoutTime(resumed));
    }


    /// <summary>
    /// A run whose steps run in two parts on two threads (with drop-path, so each part's generator matters): a second
    /// run repeats it bit for bit whatever the threads' timing, and one stopped in both phases resumes to it.
    /// </summary>
    [Fact]
    public void A_run_in_two_parts_repeats_and_resumes_bit_for_bit()
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(TinyRuns.Data(folder)).WithOverrides(["replicas=2", "network.drop_path=0.2"]);
        var straight = Path.Combine(folder.Path, "straight");
        var expected = SearchRun.Start(options, straight, null, CancellationToken.None);
        var again = Path.Combine(folder.Path, "again");
        SearchRun.Start(options, again, null, CancellationToken.None);
        Assert.Equal(Weights(straight), Weights(again));

        var resumed = Path.Combine(folder.Path, "resumed");
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, resumed, new CancelAfter(7, cancel), cancel.Token));
        }
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Resume(resumed, new CancelAfter(28, cancel), cancel.Token));
        }
        var actual = SearchRun.Resume(resumed, null, CancellationToken.None);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(TinyRuns.MetricsWithoutTime(straight), TinyRuns.MetricsWithoutTime(resumed));
    }

    [Fact]
    public void A_damaged_newest_checkpoint_resumes_from_the_previous_one_to_the_uninterrupted_result()
    {
        using var folder = new TempFolder();
        var (options, straight, expected) = Uninterrupted(folder);
        var resumed = Path.Combine(folder.Path, "resumed");
        // checkpoints at steps 5 and 10 (every 5 steps), and at 12 when stopped: the newest is then damaged
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => SearchRun.Start(options, resumed, new CancelAfter(12, cancel), cancel.Token));
        }
        var checkpoint = Path.Combine(resumed, SearchRun.CheckpointFile);
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(checkpoint, bytes);
        var warnings = new WarningLog();
        var actual = SearchRun.Resume(resumed, warnings, CancellationToken.None);

        var warning = Assert.Single(warnings.Messages);
        Assert.StartsWith($"{checkpoint}: checksum mismatch", warning);
        Assert.Contains("resuming from the previous checkpoint", warning);
        Assert.Equal(expected.Genotype, actual.Genotype);
        Assert.Equal(expected.TestAccuracy, actual.TestAccuracy);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(TinyRuns.MetricsWithoutTime(straight), TinyRuns.MetricsWithoutTime(resumed));
    }

    /// <summary>The tiny run's options, and the folder and result of its run straight through.</summary>
    private static (SearchOptions Options, string Folder, SearchResult Result) Uninterrupted(TempFolder folder)
    {
        var options = TinyRuns.Options(TinyRuns.Data(folder));
        var straight = Path.Combine(folder.Path, "straight");
        return (options, straight, SearchRun.Start(options, straight, null, CancellationToken.None));
    }

    private sealed class WarningLog : ISearchObserver
    {
        public List<string> Messages { get; } = [];

        public void OnWarning(string message) => Messages.Add(message);
    }

    [Fact]
    public void Starting_over_an_existing_run_is_refused()
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(TinyRuns.Data(folder, 64, 32)) with { Train = new TrainOptions { Steps = 0, SearchEpochs = 1, RetrainEpochs = 0 } };
        var run = Path.Combine(folder.Path, "run");
        SearchRun.Start(options, run, null, CancellationToken.None);
        var e = Assert.Throws<InvalidInputException>(() => SearchRun.Start(options, run, null, CancellationToken.None));
        Assert.Contains("already holds a run", e.Message);
        Assert.Throws<InvalidInputException>(() => SearchRun.Resume(Path.Combine(folder.Path, "nothing"), null, CancellationToken.None));
    }

    private static byte[] Weights(string run) => File.ReadAllBytes(Path.Combine(run, "model", "weights.bin"));
}
