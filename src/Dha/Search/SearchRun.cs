using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Evaluation;
using Dha.Export;

namespace Dha.Search;

/// <summary>What a finished run hands back.</summary>
public sealed record SearchResult(string RunDirectory, string ModelDirectory, double TestAccuracy, string Genotype, int Epochs, double WallSeconds);

/// <summary>
/// One run in its folder: <c>config.json</c> (resolved), <c>checkpoint.bin</c>, <c>metrics.jsonl</c>, and at the end
/// <c>model/</c>, <c>genotype.json</c>, <c>policy.json</c> and <c>summary.json</c>. Every file is written atomically;
/// a run killed at any moment resumes from its last checkpoint with <see cref="Resume"/>.
/// </summary>
public static class SearchRun
{
    public const string ConfigFile = "config.json";
    public const string CheckpointFile = "checkpoint.bin";
    public const string MetricsFile = "metrics.jsonl";
    public const string SummaryFile = "summary.json";
    public const string GenotypeFile = "genotype.json";
    public const string PolicyFile = "policy.json";
    public const string ModelFolder = "model";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A fresh run directory name under <c>runs/</c>: <c>runs/20261128-174501-dha</c>.</summary>
    public static string DefaultDirectory(SearchOptions options) =>
        Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{options.Mode.Replace('+', '-')}");

    public static SearchResult Start(SearchOptions options, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        options.Validate();
        if (File.Exists(Path.Combine(directory, CheckpointFile)) || File.Exists(Path.Combine(directory, SummaryFile)))
        {
            throw new InvalidInputException($"--out {directory}: already holds a run; use --resume {directory} to continue it, or another folder");
        }
        using var trainer = new DhaTrainer(options, observer); // loads the data first: a bad dataset leaves no folder
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--out {directory}: cannot create the folder ({e.Message})");
        }
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), options.ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, MetricsFile), "");
        SaveCheckpoint(trainer, directory); // resumable from the first moment
        return Execute(trainer, options, directory, cancel);
    }

    public static SearchResult Resume(string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        var checkpointPath = Path.Combine(directory, CheckpointFile);
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException($"--resume {directory}: folder not found");
        }
        if (!File.Exists(configPath) || !File.Exists(checkpointPath))
        {
            throw new InvalidInputException($"--resume {directory}: no run to resume here (needs {ConfigFile} and {CheckpointFile})");
        }
        if (File.Exists(Path.Combine(directory, SummaryFile)))
        {
            throw new InvalidInputException($"--resume {directory}: this run is already finished; its model is in {Path.Combine(directory, ModelFolder)}");
        }
        var options = SearchOptions.FromFile(configPath).Validate();
        using var trainer = new DhaTrainer(options, observer);
        try
        {
            using var stream = File.OpenRead(checkpointPath);
            using var reader = new BinaryReader(stream);
            trainer.LoadState(reader, checkpointPath);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputException($"{checkpointPath}: truncated checkpoint");
        }
        // epochs completed after the checkpoint was written are done again: drop their lines
        var metricsPath = Path.Combine(directory, MetricsFile);
        var lines = File.Exists(metricsPath) ? File.ReadAllLines(metricsPath) : [];
        var keep = lines.Where(l => l.Length > 0).Take(trainer.Position.GlobalEpoch);
        AtomicFile.WriteAllText(metricsPath, string.Concat(keep.Select(l => l + "\n")));
        observer?.OnMessage($"resuming at epoch {trainer.Position.GlobalEpoch + 1}, step {trainer.Position.Step}");
        return Execute(trainer, options, directory, cancel);
    }

    private static SearchResult Execute(DhaTrainer trainer, SearchOptions options, string directory, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        var metricsPath = Path.Combine(directory, MetricsFile);
        double? rssAfterFirstEpoch = null;
        var previousSeconds = ReadWallSeconds(directory);
        trainer.Train(
            checkpoint: t =>
            {
                SaveCheckpoint(t, directory);
                SaveWallSeconds(directory, previousSeconds + wall.Elapsed.TotalSeconds);
            },
            epochCompleted: metrics =>
            {
                using (var append = new StreamWriter(metricsPath, append: true))
                {
                    append.WriteLine(JsonSerializer.Serialize(metrics, Json));
                }
                rssAfterFirstEpoch ??= ProcessMemory.ResidentMiB();
                WriteArchitectureFiles(trainer, directory);
            },
            cancel);

        var seconds = previousSeconds + wall.Elapsed.TotalSeconds;
        using var network = trainer.ExportNetwork();
        var test = Evaluator.Evaluate(images => network.forward(images).Logits, trainer.Splits.Test, trainer.Mean, trainer.Std, options.Data.BatchSize);
        var modelDirectory = Path.Combine(directory, ModelFolder);
        var manifest = new ModelManifest(
            ModelBundle.FormatVersion,
            trainer.Genotype.ToString(),
            trainer.Shape.InputChannels,
            trainer.Shape.ImageSize,
            trainer.Shape.Channels,
            trainer.Shape.Layers,
            trainer.Shape.Auxiliary,
            trainer.Mean,
            trainer.Std,
            trainer.Splits.Train.ClassNames,
            trainer.Dataset.Path,
            test.Accuracy);
        new ModelBundle(network, manifest).Save(modelDirectory);
        WriteArchitectureFiles(trainer, directory);

        var lines = File.ReadAllLines(metricsPath).Where(l => l.Length > 0).ToArray();
        var searchEpochs = lines.Count(l => l.Contains("\"phase\":\"search\"", StringComparison.Ordinal));
        var (lr, wd) = trainer.HyperParameters;
        var summary = new JsonObject
        {
            ["mode"] = options.Mode,
            ["preset"] = options.Preset,
            ["seed"] = options.Seed,
            ["dataset"] = trainer.Dataset.Path,
            ["dataset_format"] = trainer.Dataset.Format,
            ["search_epochs"] = searchEpochs,
            ["total_epochs"] = lines.Length,
            ["final_test_accuracy"] = test.Accuracy,
            ["test_images"] = test.Count,
            ["parameter_count"] = network.ParameterCount(),
            ["multiply_adds"] = network.MultiplyAdds(),
            ["genotype"] = trainer.Genotype.ToString(),
            ["learning_rate"] = lr,
            ["weight_decay"] = wd,
            ["wall_seconds"] = seconds,
            ["peak_rss_mib"] = ProcessMemory.PeakResidentMiB(),
            ["rss_after_first_epoch_mib"] = rssAfterFirstEpoch,
            ["rss_end_mib"] = ProcessMemory.ResidentMiB(),
            ["threads"] = TorchThreads(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, SummaryFile), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new SearchResult(directory, modelDirectory, test.Accuracy, trainer.Genotype.ToString(), lines.Length, seconds);
    }

    private static int TorchThreads() => TorchSharp.torch.get_num_threads();

    private static void SaveCheckpoint(DhaTrainer trainer, string directory) =>
        AtomicFile.Write(Path.Combine(directory, CheckpointFile), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            trainer.SaveState(writer);
        });

    private static void WriteArchitectureFiles(DhaTrainer trainer, string directory)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, GenotypeFile), trainer.Genotype.ToJson());
        if (trainer.PolicyProbabilities is { } p && trainer.PolicyTheta is { } theta)
        {
            var names = Enum.GetNames<AugmentOp>();
            var policy = new JsonObject
            {
                ["ops"] = new JsonArray([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]),
                ["entropy"] = trainer.PolicyEntropy,
                ["theta"] = Matrix(theta, names.Length),
                ["p"] = Matrix(p, names.Length),
            };
            AtomicFile.WriteAllText(Path.Combine(directory, PolicyFile), policy.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private static JsonArray Matrix(double[] values, int n) =>
        new([.. Enumerable.Range(0, n).Select(i => (JsonNode?)new JsonArray([.. values.Skip(i * n).Take(n).Select(v => (JsonNode?)JsonValue.Create(v))]))]);

    // wall time across resumes lives beside the checkpoint
    private const string WallFile = ".wall-seconds";

    private static double ReadWallSeconds(string directory)
    {
        var path = Path.Combine(directory, WallFile);
        return File.Exists(path) && double.TryParse(File.ReadAllText(path), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
    }

    private static void SaveWallSeconds(string directory, double seconds) =>
        AtomicFile.WriteAllText(Path.Combine(directory, WallFile), seconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
}
