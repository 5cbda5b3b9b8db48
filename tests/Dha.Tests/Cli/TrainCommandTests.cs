using System.Globalization;
using System.Text.Json.Nodes;
using Dha.Nas;
using Dha.Retrain;
using Dha.Search;
using Dha.Tests.Search;

namespace Dha.Tests.Cli;

/// <summary><c>dha train</c>: a given genotype trained from scratch into a run folder that evaluate and predict use.</summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _data;

    public TrainCommandTests()
    {
        _data = TinyRuns.Data(_folder);
    }

    public void Dispose() => _folder.Dispose();

    private string Folder(string name) => Path.Combine(_folder.Path, name);

    [Fact]
    public void A_tiny_retraining_writes_a_model_that_evaluate_scores_as_the_summary_says()
    {
        var run = Folder("run");
        var result = DhaTool.Run(["train", "--genotype", "darts-v2", "--data", _data, "--out", run, "--quiet", .. TinyRuns.AsSetOptions()]);
        Assert.True(result.ExitCode == 0, result.Error);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, SearchRun.SummaryFile)))!;
        Assert.Equal(RetrainRun.Mode, (string)summary["mode"]!);
        Assert.Equal(Genotype.DartsV2.ToString(), (string)summary["genotype"]!);
        // the budget of a search with these options: 2 search + 1 training epochs
        Assert.Equal(3, (int)summary["total_epochs"]!);
        var metrics = File.ReadAllLines(Path.Combine(run, SearchRun.MetricsFile));
        Assert.Equal(3, metrics.Length);
        Assert.All(metrics, line => Assert.Equal("retrain", (string)JsonNode.Parse(line)!["phase"]!));
        Assert.Equal(Genotype.DartsV2, Genotype.FromJson(File.ReadAllText(Path.Combine(run, SearchRun.GenotypeFile))));
        // the cosine schedule ends at its floor
        Assert.Equal(GenotypeTrainer.LearningRateFloor, (double)summary["learning_rate"]!, 12);

        var accuracy = (double)summary["final_test_accuracy"]!;
        var evaluation = DhaTool.Run("evaluate", run, "--data", _data);
        Assert.True(evaluation.ExitCode == 0, evaluation.Error);
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:P2} on 128 test images"), evaluation.OutputLines[0]);
        Assert.Equal(
            [string.Create(CultureInfo.InvariantCulture, $"test accuracy {accuracy:P2} after 3 epochs in {(double)summary["wall_seconds"]!:F0}s"),
             $"genotype {Genotype.DartsV2}", $"model saved to {Path.Combine(run, SearchRun.ModelFolder)}"],
            result.OutputLines);
    }

    [Fact]
    public void A_retraining_resumed_after_a_cancel_ends_as_the_uninterrupted_one()
    {
        // 512 images in batches of 32: 16 steps per epoch, a checkpoint every 5; cancelled in the second epoch
        var options = TinyRuns.Options(_data).WithOverrides(["network.drop_path=0.2"]);
        var whole = Folder("whole");
        var stopped = Folder("stopped");
        RetrainRun.Start(options, Genotype.DartsV2, whole, null, CancellationToken.None);
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => RetrainRun.Start(options, Genotype.DartsV2, stopped, new CancelAfter(23, cancel), cancel.Token));
        }
        Assert.Single(File.ReadAllLines(Path.Combine(stopped, SearchRun.MetricsFile)));

        var resumed = DhaTool.Run("train", "--resume", stopped, "--quiet");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(TinyRuns.MetricsWithoutTime(whole), TinyRuns.MetricsWithoutTime(stopped));
        Assert.Equal(Weights(whole), Weights(stopped));
    }

    [Theory]
    [InlineData("normal=[sep_conv_3x3@0] reduce=[max_pool_3x3@0]", "normal cell needs 8")]
    [InlineData("normal=[sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 warp_conv@2] reduce=[]", "warp_conv")]
    [InlineData("{\"normal\": 3}", "'normal' must be an array")]
    [InlineData("{\"normal\": [", "genotype JSON")]
    public void A_bad_genotype_file_gives_one_line_naming_it_and_exit_2(string content, string says)
    {
        var file = Folder("genotype.txt");
        File.WriteAllText(file, content);
        var run = Folder("bad-run");

        var result = DhaTool.Run(["train", "--genotype", file, "--data", _data, "--out", run, .. TinyRuns.AsSetOptions()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"dha: --genotype {file}: ", line);
        Assert.Contains(says, line);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Data_parallel_parts_are_refused_for_a_fixed_genotype_with_one_line_and_exit_2()
    {
        var run = Folder("parts");
        var result = DhaTool.Run(["train", "--genotype", "darts-v2", "--data", _data, "--out", run, "--quiet", .. TinyRuns.AsSetOptions("replicas=2")]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("dha: replicas: must be 0 or 1 when training a fixed genotype", Assert.Single(result.ErrorLines));
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void A_missing_genotype_file_or_option_gives_one_line_and_exit_2()
    {
        var missing = DhaTool.Run("train", "--genotype", Folder("none.json"), "--data", _data);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith($"dha: --genotype {Folder("none.json")}: file not found", Assert.Single(missing.ErrorLines));

        var absent = DhaTool.Run("train", "--data", _data);
        Assert.Equal(2, absent.ExitCode);
        Assert.StartsWith("dha: --genotype: required", Assert.Single(absent.ErrorLines));
    }

    [Fact]
    public void A_text_genotype_in_either_notation_and_a_run_s_genotype_json_are_read()
    {
        var python = Folder("python.txt");
        File.WriteAllText(python,
            "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), "
            + "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
            + "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            + "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])");
        var text = Folder("text.txt");
        File.WriteAllText(text, Genotype.DartsV2.ToString() + "\n");
        var json = Folder("genotype.json");
        File.WriteAllText(json, Genotype.DartsV2.ToJson());

        Assert.Equal(Genotype.DartsV2, GenotypeInput.Read(python));
        Assert.Equal(Genotype.DartsV2, GenotypeInput.Read(text));
        Assert.Equal(Genotype.DartsV2, GenotypeInput.Read(json));
        Assert.Same(Genotype.DartsV2, GenotypeInput.Read("DARTS-V2"));
    }

    private static byte[] Weights(string run) => File.ReadAllBytes(Path.Combine(run, SearchRun.ModelFolder, "weights.bin"));
}
