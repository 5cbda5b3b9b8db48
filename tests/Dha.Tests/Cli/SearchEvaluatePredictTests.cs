using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dha.Export;
using TorchSharp;

namespace Dha.Tests.Cli;

/// <summary>
/// The tool as a user runs it: <c>dha search</c> writes a run folder, then <c>dha evaluate</c> and <c>dha predict</c>
/// use the saved model from other working directories.
/// </summary>
[Collection("EndToEnd")]
public sealed class SearchEvaluatePredictTests(TrainedRunFixture run) : IClassFixture<TrainedRunFixture>
{
    private static readonly string[] ClassNamesOfFashionMnist =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    [Fact]
    public void Search_returns_0_and_writes_the_run_folder()
    {
        Assert.True(run.Search.ExitCode == 0, $"exit {run.Search.ExitCode}: {run.Search.Error}");
        Assert.Equal("", run.Search.Error);
        foreach (var file in new[] { "config.json", "genotype.json", "metrics.jsonl", "summary.json", "model/model.json", "model/weights.bin" })
        {
            Assert.True(File.Exists(Path.Combine(run.RunDirectory, file)), $"{file} missing");
        }
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run.RunDirectory, "metrics.jsonl")).Length);
        var summary = Summary();
        Assert.Equal(2, (int)summary["total_epochs"]!);
        Assert.Equal(1, (int)summary["search_epochs"]!);
        Assert.Equal(TrainedRunFixture.TestImages, (int)summary["test_images"]!);
        var config = Json(Path.Combine(run.RunDirectory, "config.json"));
        Assert.Equal(1, (int)config["threads"]!);
        Assert.Equal(32, (int)config["data"]!["batch_size"]!);
        Assert.Equal(4, (int)config["network"]!["channels"]!);
        Assert.Equal(3, (int)config["network"]!["layers"]!);
    }

    [Fact]
    public void Quiet_search_prints_only_the_result_lines()
    {
        var summary = Summary();
        Assert.Equal(
            [
                Invariant($"test accuracy {(double)summary["final_test_accuracy"]!:P2} after 2 epochs in {(double)summary["wall_seconds"]!:F0}s"),
                $"genotype {(string)summary["genotype"]!}",
                $"model saved to {Path.Combine("run", "model")}",
            ],
            run.Search.OutputLines);
    }

    [Fact]
    public void The_saved_config_names_the_dataset_by_an_absolute_path_so_the_run_resumes_from_anywhere()
    {
        var config = Json(Path.Combine(run.RunDirectory, "config.json"));

        Assert.Equal(run.DataDirectory, (string)config["data"]!["path"]!);
    }

    [Fact]
    public void Evaluate_from_another_folder_prints_the_accuracy_a_per_class_table_and_a_confusion_matrix()
    {
        var elsewhere = run.NewFolder();

        var result = DhaTool.RunIn(elsewhere, "evaluate", run.ModelDirectory, "--data", Path.GetRelativePath(elsewhere, run.DataDirectory));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        var lines = result.OutputLines;
        var accuracy = (double)Summary()["final_test_accuracy"]!;
        Assert.StartsWith(Invariant($"accuracy {accuracy:P2} on {TrainedRunFixture.TestImages} test images of {run.DataDirectory} (loss "), lines[0]);

        var split = Array.FindIndex(lines, line => line == "confusion matrix (rows: true class, columns: predicted)");
        Assert.True(split > 0, "no confusion matrix heading");
        var perClass = Rows(lines[1..split]).Where(cells => cells[0] != "class").ToArray();
        var confusion = Rows(lines[(split + 1)..]).Where(cells => Regex.IsMatch(cells[0], @"^\d+ ")).ToArray();

        // the true classes, counted from the idx label file itself
        var labels = IdxFiles.Labels(run.DataDirectory, "t10k-labels-idx1-ubyte.gz");
        Assert.Equal(10, confusion.Length);
        Assert.Equal(10, perClass.Length);
        long diagonal = 0;
        for (var c = 0; c < 10; c++)
        {
            Assert.Equal($"{c} {ClassNamesOfFashionMnist[c]}", confusion[c][0]);
            Assert.Equal(11, confusion[c].Length);
            var row = confusion[c][1..].Select(long.Parse).ToArray();
            Assert.Equal(labels.Count(label => label == c), row.Sum());
            diagonal += row[c];
            Assert.Equal(ClassNamesOfFashionMnist[c], perClass[c][0]);
            if (row.Sum() > 0)
            {
                Assert.Equal(Invariant($"{row[c] / (double)row.Sum():P2}"), perClass[c][1]);
            }
        }
        Assert.Equal(TrainedRunFixture.TestImages, confusion.Sum(cells => cells[1..].Sum(long.Parse)));
        Assert.Equal(Invariant($"{accuracy:P2}"), Invariant($"{diagonal / (double)TrainedRunFixture.TestImages:P2}"));
    }

    [Fact]
    public void Evaluate_accepts_the_run_folder_in_place_of_its_model_folder()
    {
        var elsewhere = run.NewFolder();

        var fromModel = DhaTool.RunIn(elsewhere, "evaluate", run.ModelDirectory, "--data", run.DataDirectory);
        var fromRun = DhaTool.RunIn(elsewhere, "evaluate", Path.GetRelativePath(elsewhere, run.RunDirectory), "--data", run.DataDirectory);

        Assert.Equal(0, fromRun.ExitCode);
        Assert.Equal("", fromRun.Error);
        Assert.Equal(fromModel.Output, fromRun.Output);
        Assert.StartsWith("accuracy ", fromRun.OutputLines[0]);
    }

    [Fact]
    public void Predict_from_another_folder_prints_the_class_and_probability_of_each_png()
    {
        var elsewhere = run.NewFolder();
        var images = Enumerable.Range(0, 3).Select(i => IdxFiles.Image(run.DataDirectory, "t10k-images-idx3-ubyte.gz", i)).ToArray();
        for (var i = 0; i < images.Length; i++)
        {
            IdxFiles.WritePng(Path.Combine(elsewhere, $"test-{i}.png"), images[i]);
        }

        var result = DhaTool.RunIn(elsewhere, "predict", run.ModelDirectory, "test-0.png", "test-1.png", "test-2.png");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        var rows = Rows(result.OutputLines).Where(cells => cells[0] != "image").ToArray();
        Assert.Equal(3, rows.Length);
        for (var i = 0; i < images.Length; i++)
        {
            // the same image straight from the idx bytes through the saved network: normalised here, by hand
            var (label, probability) = DirectPrediction(images[i]);
            Assert.Equal([$"test-{i}.png", $"{label} {ClassNamesOfFashionMnist[label]}", Invariant($"{probability:P2}")], rows[i]);
        }
    }

    [Fact]
    public void Predicting_a_training_image_of_a_clear_class_gives_a_probability_between_a_tenth_and_one()
    {
        var elsewhere = run.NewFolder();
        var trouser = Array.IndexOf(IdxFiles.Labels(run.DataDirectory, "train-labels-idx1-ubyte.gz"), (byte)1);
        IdxFiles.WritePng(Path.Combine(elsewhere, "trouser.png"), IdxFiles.Image(run.DataDirectory, "train-images-idx3-ubyte.gz", trouser));

        var result = DhaTool.RunIn(elsewhere, "predict", run.RunDirectory, "trouser.png");

        Assert.Equal(0, result.ExitCode);
        var row = Assert.Single(Rows(result.OutputLines), cells => cells[0] == "trouser.png");
        Assert.Matches(@"^\d \S", row[1]);
        var probability = double.Parse(row[2].TrimEnd('%', ' '), CultureInfo.InvariantCulture) / 100;
        // the winning class of 10 has at least a tenth of the mass
        Assert.InRange(probability, 0.1, 1.0);
    }

    [Fact]
    public void Evaluate_json_is_one_document_on_stdout_with_the_values_of_the_text_output_and_the_summary()
    {
        var text = DhaTool.Run("evaluate", run.ModelDirectory, "--data", run.DataDirectory);

        var result = DhaTool.Run("evaluate", run.ModelDirectory, "--data", run.DataDirectory, "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var document = System.Text.Json.JsonDocument.Parse(result.Output);
        var json = document.RootElement;
        Assert.Equal(run.ModelDirectory, json.GetProperty("model").GetString());
        Assert.Equal(run.DataDirectory, json.GetProperty("dataset").GetString());
        Assert.Equal(TrainedRunFixture.TestImages, json.GetProperty("test_images").GetInt32());
        var accuracy = json.GetProperty("accuracy").GetDouble();
        Assert.Equal((double)Summary()["final_test_accuracy"]!, accuracy, 12);
        var top5 = json.GetProperty("top5_accuracy").GetDouble();
        Assert.Equal((double)Summary()["final_test_top5_accuracy"]!, top5, 12);
        Assert.Equal(5, json.GetProperty("top_k").GetInt32());
        Assert.InRange(top5, accuracy, 1);
        Assert.Equal(Invariant($"accuracy {accuracy:P2} on {TrainedRunFixture.TestImages} test images of {run.DataDirectory} (loss {json.GetProperty("loss").GetDouble():F4}, top-5 {top5:P2})"), text.OutputLines[0]);
        var confusion = json.GetProperty("confusion").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        var labels = IdxFiles.Labels(run.DataDirectory, "t10k-labels-idx1-ubyte.gz");
        var classes = json.GetProperty("classes").EnumerateArray().ToArray();
        Assert.Equal(10, classes.Length);
        for (var c = 0; c < 10; c++)
        {
            Assert.Equal(c, classes[c].GetProperty("index").GetInt32());
            Assert.Equal(ClassNamesOfFashionMnist[c], classes[c].GetProperty("name").GetString());
            Assert.Equal(labels.Count(label => label == c), confusion[c].Sum());
            if (confusion[c].Sum() > 0)
            {
                Assert.Equal(confusion[c][c] / (double)confusion[c].Sum(), classes[c].GetProperty("accuracy").GetDouble(), 12);
            }
        }
        Assert.Equal(accuracy, Enumerable.Range(0, 10).Sum(c => confusion[c][c]) / (double)TrainedRunFixture.TestImages, 12);
    }

    [Fact]
    public void Predict_json_gives_the_rows_of_the_table()
    {
        var elsewhere = run.NewFolder();
        for (var i = 0; i < 2; i++)
        {
            IdxFiles.WritePng(Path.Combine(elsewhere, $"test-{i}.png"), IdxFiles.Image(run.DataDirectory, "t10k-images-idx3-ubyte.gz", i));
        }
        var table = Rows(DhaTool.RunIn(elsewhere, "predict", run.ModelDirectory, "test-0.png", "test-1.png").OutputLines).Where(cells => cells[0] != "image").ToArray();

        var result = DhaTool.RunIn(elsewhere, "predict", run.ModelDirectory, "test-0.png", "test-1.png", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        using var document = System.Text.Json.JsonDocument.Parse(result.Output);
        Assert.Equal(run.ModelDirectory, document.RootElement.GetProperty("model").GetString());
        var predictions = document.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(2, predictions.Length);
        for (var i = 0; i < 2; i++)
        {
            var p = predictions[i];
            string[] cells = [p.GetProperty("file").GetString()!, $"{p.GetProperty("class_index").GetInt32()} {p.GetProperty("class_name").GetString()}", Invariant($"{p.GetProperty("probability").GetDouble():P2}")];
            Assert.Equal(table[i], cells);
        }
    }

    [Fact]
    public void Out_pointing_at_a_finished_run_is_refused_and_leaves_the_run_untouched()
    {
        var before = Snapshot(run.RunDirectory);
        var elsewhere = run.NewFolder();

        var result = DhaTool.RunIn(elsewhere, [.. TrainedRunFixture.Arguments(run.RunDirectory), "--data", run.DataDirectory]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"dha: --out {run.RunDirectory}: already holds a run; use --resume {run.RunDirectory} to continue it, or another folder"], result.ErrorLines);
        Assert.Equal("", result.Output);
        Assert.Equal(before, Snapshot(run.RunDirectory));
        Assert.Empty(DhaTool.Contents(elsewhere));
    }

    private (int Label, double Probability) DirectPrediction(byte[] grey)
    {
        using var bundle = ModelBundle.Load(run.ModelDirectory);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var mean = bundle.Manifest.Mean[0];
        var std = bundle.Manifest.Std[0];
        var input = torch.tensor(grey.Select(b => (b / 255f - mean) / std).ToArray(), [1, 1, IdxFiles.Side, IdxFiles.Side]);
        var probabilities = torch.nn.functional.softmax(bundle.Network.forward(input).Logits, 1)[0];
        var label = (int)probabilities.argmax().ToInt64();
        return (label, probabilities[label].ToDouble());
    }

    private JsonNode Summary() => Json(Path.Combine(run.RunDirectory, "summary.json"));

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The cells of the table rows among <paramref name="lines"/> (Spectre draws cells between │).</summary>
    private static string[][] Rows(IEnumerable<string> lines) =>
        [.. lines.Where(line => line.StartsWith('│')).Select(line => line.Split('│')[1..^1].Select(cell => cell.Trim()).ToArray())];

    private static string[] Snapshot(string directory) =>
        [.. DhaTool.Contents(directory).Select(path =>
        {
            var full = Path.Combine(directory, path);
            return File.Exists(full) ? $"{path} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(full)))} {File.GetLastWriteTimeUtc(full).Ticks}" : path;
        })];
}
