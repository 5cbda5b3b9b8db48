using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Data;
using Dha.Evaluation;
using Dha.Export;

namespace Dha.Search;

/// <summary>What a finished run hands back.</summary>
public sealed record SearchResult(string RunDirectory, string ModelDirectory, double TestAccuracy, string Genotype, int Epochs, double WallSeconds);

/// <summary>
/// One run in its folder: <c>config.json</c> (resolved), <c>checkpoint.bin</c>, <c>metrics.jsonl</c>, <c>history.jsonl</c>
/// (<see cref="LearningHistoryWriter"/>), and at the end
/// <c>model/</c>, <c>genotype.json</c>, <c>policy.json</c> and <c>summary.json</c>. Every file is written atomically;
/// a run killed at any moment resumes from its last checkpoint with <see cref="Resume"/>.
/// </summary>
public static class SearchRun
{
    public const string ConfigFile = "config.json";
    public const string CheckpointFile = "checkpoint.bin";
    public const string MetricsFile = "metrics.jsonl";
    public const string HistoryFile = "history.jsonl";
    public const string SummaryFile = "summary.json";
    public const string GenotypeFile = "genotype.json";
    public const string PolicyFile = "policy.json";
    public const string ModelFolder = "model";

    /// <summary>A fresh run directory name under <c>runs/</c>: <c>runs/20261128-174501-dha</c>.</summary>
    public static string DefaultDirectory(SearchOptions options) =>
        Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{options.Mode.ToText().Replace('+', '-')}");

    public static SearchResult Start(SearchOptions options, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        options.Validate();
        if (File.Exists(Path.Combine(directory, CheckpointFile)) || File.Exists(Path.Combine(directory, SummaryFile)))
        {
            throw new InvalidInputException($"--out {directory}: already holds a run; use --resume {directory} to continue it, or another folder");
        }
        // the data is loaded and the trainer built before the folder exists: a bad dataset leaves no folder
        using var data = DatasetLocator.Load(options.Data.Path, options.Data.ImageSize, options.Data.MaxImageSize, options.Seed, options.Data.TestFraction);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, data.Path);
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
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryFile), "");
        Checkpoint.Save(trainer, Path.Combine(directory, CheckpointFile)); // resumable from the first moment
        return Execute(trainer, data, directory, observer, cancel);
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
        using var data = DatasetLocator.Load(options.Data.Path, options.Data.ImageSize, options.Data.MaxImageSize, options.Seed, options.Data.TestFraction);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, data.Path);
        Checkpoint.Load(trainer, checkpointPath);
        MetricsJsonlWriter.KeepFirst(Path.Combine(directory, MetricsFile), trainer.Position.GlobalEpoch);
        MetricsJsonlWriter.KeepFirst(Path.Combine(directory, HistoryFile), trainer.Position.GlobalEpoch);
        return Execute(trainer, data, directory, observer, cancel);
    }

    private static SearchResult Execute(DhaTrainer trainer, LoadedDataset data, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        var options = trainer.Options;
        var wall = Stopwatch.StartNew();
        var metricsPath = Path.Combine(directory, MetricsFile);
        var previousSeconds = ReadWallSeconds(directory);
        var runFiles = new RunFiles(trainer, directory);
        trainer.Train(
            new CompositeObserver(new MetricsJsonlWriter(metricsPath), new LearningHistoryWriter(trainer, Path.Combine(directory, HistoryFile)), runFiles, observer),
            cancel,
            checkpointDue: () =>
            {
                Checkpoint.Save(trainer, Path.Combine(directory, CheckpointFile));
                SaveWallSeconds(directory, previousSeconds + wall.Elapsed.TotalSeconds);
            });

        var seconds = previousSeconds + wall.Elapsed.TotalSeconds;
        using var network = NetworkExport.FromTrainer(trainer);
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
            data.Path,
            test.Accuracy,
            data.Split);
        new ModelBundle(network, manifest).Save(modelDirectory);
        runFiles.WriteArchitectureFiles();

        var lines = File.ReadAllLines(metricsPath).Where(l => l.Length > 0).ToArray();
        var searchEpochs = lines.Count(l => l.Contains("\"phase\":\"search\"", StringComparison.Ordinal));
        var (lr, wd) = trainer.HyperParameters;
        var summary = new JsonObject
        {
            ["mode"] = options.Mode.ToText(),
            ["preset"] = options.Preset,
            ["seed"] = options.Seed,
            ["dataset"] = data.Path,
            ["dataset_format"] = data.Format,
            ["image_size"] = trainer.Shape.ImageSize,
            ["image_size_reason"] = data.SizeReason,
            ["test_split"] = data.Split is { } split ? $"{split.TestFraction} of each class, seed {split.Seed}" : "the dataset's own",
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
            ["rss_after_first_epoch_mib"] = runFiles.RssAfterFirstEpoch,
            ["rss_end_mib"] = ProcessMemory.ResidentMiB(),
            ["threads"] = TorchThreads(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, SummaryFile), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return new SearchResult(directory, modelDirectory, test.Accuracy, trainer.Genotype.ToString(), lines.Length, seconds);
    }

    private static int TorchThreads() => TorchSharp.torch.get_num_threads();

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

    /// <summary>The run folder's per-epoch files (genotype, policy) and the memory measured after the first epoch.</summary>
    private sealed class RunFiles(DhaTrainer trainer, string directory) : ISearchObserver
    {
        public double? RssAfterFirstEpoch { get; private set; }

        public void OnEpochCompleted(EpochMetrics metrics)
        {
            RssAfterFirstEpoch ??= ProcessMemory.ResidentMiB();
            WriteArchitectureFiles();
        }

        public void WriteArchitectureFiles()
        {
            AtomicFile.WriteAllText(Path.Combine(directory, GenotypeFile), trainer.Genotype.ToJson());
            if (trainer.PolicyProbabilities is { } p && trainer.PolicyTheta is { } theta)
            {
                var names = Enum.GetNames<AugmentOp>();
                var policy = new JsonObject
                {
                    ["ops"] = new JsonArray([.. names.Select(n => (JsonNode?)JsonValue.Create(n))]),
                    ["entropy"] = trainer.PolicyEntropy,
                    ["theta"] = Matrix(theta, AugmentOpNames.Count),
                    ["p"] = Matrix(p, AugmentOpNames.Count),
                };
                AtomicFile.WriteAllText(Path.Combine(directory, PolicyFile), policy.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
        }
    }
}
