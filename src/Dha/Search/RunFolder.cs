using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Data;
using Dha.Evaluation;
using Dha.Export;
using Dha.Nas;
using Dha.TensorBoard;

namespace Dha.Search;

/// <summary>
/// What every run folder has, whatever trains in it (a search, <see cref="SearchRun"/>, or the retraining of a given
/// genotype, <c>Retrain.RetrainRun</c>): <c>config.json</c>, <c>checkpoint.bin</c>, <c>metrics.jsonl</c>, the wall
/// time across resumes, and at the end <c>model/</c> and <c>summary.json</c>.
/// </summary>
internal static class RunFolder
{
    // wall time across resumes lives beside the checkpoint
    private const string WallFile = ".wall-seconds";

    /// <summary>
    /// Checks, before anything is loaded, that <paramref name="directory"/> is missing or empty: a run writes only
    /// into a folder of its own, so it never overwrites a file it did not write.
    /// </summary>
    /// <exception cref="InvalidInputException"><paramref name="directory"/> holds a run or anything else.</exception>
    public static void CheckFresh(string directory)
    {
        if (File.Exists(Path.Combine(directory, SearchRun.CheckpointFile)) || File.Exists(Path.Combine(directory, SearchRun.SummaryFile)))
        {
            throw new InvalidInputException($"--out {directory}: already holds a run; use --resume {directory} to continue it, or another folder");
        }
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any(e => Path.GetFileName(e) != RunLock.FileName))
        {
            throw new InvalidInputException($"--out {directory}: is not empty; a run starts in a new or empty folder, so that nothing there is overwritten");
        }
    }

    /// <summary>
    /// Creates the folder, takes its lock (held until the returned lock is disposed), checks again under the lock that
    /// the folder is fresh, and writes the resolved options and an empty metrics file.
    /// </summary>
    /// <exception cref="InvalidInputException">The folder cannot be made, is locked by another process, or is not empty.</exception>
    public static RunLock Create(string directory, SearchOptions options)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--out {directory}: cannot create the folder ({e.Message})");
        }
        return Locked(directory, "--out", () =>
        {
            CheckFresh(directory);
            AtomicFile.WriteAllText(Path.Combine(directory, SearchRun.ConfigFile), options.ToJson());
            AtomicFile.WriteAllText(Path.Combine(directory, SearchRun.MetricsFile), "");
        });
    }

    /// <summary>
    /// Takes the lock of the run to resume in <paramref name="directory"/> (held until the returned lock is disposed)
    /// and removes the temporary files a killed session left there. Nothing is written into a folder that holds no run.
    /// </summary>
    /// <exception cref="InvalidInputException">No run there, or another process holds it.</exception>
    public static RunLock LockForResume(string directory)
    {
        CheckResumable(directory);
        return Locked(directory, "--resume", () => RemoveStaleTemporaries(directory));
    }

    /// <summary>The lock of <paramref name="directory"/>, taken, then <paramref name="prepare"/> run under it; released if that fails.</summary>
    private static RunLock Locked(string directory, string option, Action prepare)
    {
        var runLock = RunLock.Acquire(directory, option);
        try
        {
            prepare();
            return runLock;
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>The saved options of an unfinished run in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidInputException">No run to resume there, or it is finished.</exception>
    public static SearchOptions OpenForResume(string directory)
    {
        CheckResumable(directory);
        if (File.Exists(Path.Combine(directory, SearchRun.SummaryFile)))
        {
            throw new InvalidInputException($"--resume {directory}: this run is already finished; its model is in {Path.Combine(directory, SearchRun.ModelFolder)}");
        }
        return SearchOptions.FromFile(Path.Combine(directory, SearchRun.ConfigFile)).Validate();
    }

    private static void CheckResumable(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException($"--resume {directory}: folder not found");
        }
        var checkpoint = Path.Combine(directory, SearchRun.CheckpointFile);
        if (!File.Exists(Path.Combine(directory, SearchRun.ConfigFile)) || !(File.Exists(checkpoint) || File.Exists(Checkpoint.PreviousPath(checkpoint))))
        {
            throw new InvalidInputException($"--resume {directory}: no run to resume here (needs {SearchRun.ConfigFile} and {SearchRun.CheckpointFile})");
        }
    }

    /// <summary>
    /// Removes what writes killed before their rename left in a run folder: files named as <see cref="AtomicFile"/>
    /// names its temporaries, and temporary model folders that hold only a model's files. Nothing else is touched.
    /// </summary>
    internal static void RemoveStaleTemporaries(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory).Where(f => AtomicFile.IsTemporaryName(Path.GetFileName(f))).ToArray())
        {
            File.Delete(file);
        }
        foreach (var folder in Directory.EnumerateDirectories(directory)
            .Where(d => ModelBundle.IsTemporaryName(Path.GetFileName(d), SearchRun.ModelFolder)).ToArray())
        {
            ModelBundle.RemoveTemporary(folder);
        }
        // a temporary event file would be read by TensorBoard ("tfevents" is in its name) and double its events
        foreach (var folder in new[] { SearchRun.ModelFolder, TensorBoardWriter.Folder }.Select(f => Path.Combine(directory, f)).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder).Where(f => AtomicFile.IsTemporaryName(Path.GetFileName(f))).ToArray())
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="train"/> with <c>metrics.jsonl</c>, the TensorBoard event files and the memory probe
    /// observing it besides <paramref name="observers"/>; at every checkpoint it asks for, flushes the event file and
    /// writes the checkpoint and the wall time so far.
    /// </summary>
    /// <param name="directory">The run folder.</param>
    /// <param name="train">Trains, given the observer and the action to call when a checkpoint is due.</param>
    /// <param name="saveCheckpoint">Writes the trainer's checkpoint to the given path.</param>
    /// <param name="policy">The augmentation policy the run learns, if any (its entropy and top pairs go to TensorBoard).</param>
    /// <param name="observers">Further observers (null ones are skipped).</param>
    public static TrainingTime Train(string directory, Action<ISearchObserver, Action> train, Action<string> saveCheckpoint, OpPairPolicy? policy,
        params ISearchObserver?[] observers)
    {
        var wall = Stopwatch.StartNew();
        var previousSeconds = ReadWallSeconds(directory);
        var memory = new MemoryProbe();
        using var tensorBoard = new TensorBoardWriter(directory, policy);
        train(
            new CompositeObserver([new MetricsJsonlWriter(Path.Combine(directory, SearchRun.MetricsFile)), tensorBoard, memory, .. observers]),
            () =>
            {
                // events first: whatever a kill then cuts off lies past the checkpoint, and a resume removes it
                tensorBoard.Flush();
                saveCheckpoint(Path.Combine(directory, SearchRun.CheckpointFile));
                SaveWallSeconds(directory, previousSeconds + wall.Elapsed.TotalSeconds);
            });
        return new TrainingTime(previousSeconds + wall.Elapsed.TotalSeconds, memory.RssAfterFirstEpoch);
    }

    /// <summary>
    /// Scores <paramref name="network"/> (in eval mode) on the test split and saves it with its manifest as
    /// <c>model/</c> without the auxiliary head (it only trains); the test metrics are recorded in the manifest.
    /// </summary>
    public static ClassificationMetrics SaveModel(string directory, FixedNetwork network, DatasetSplits splits, float[] mean, float[] std,
        LoadedDataset data, int batchSize)
    {
        var test = Evaluator.Evaluate(images => network.forward(images).Logits, splits.Test, mean, std, batchSize);
        var shape = network.Shape;
        var manifest = new ModelManifest(ModelBundle.FormatVersion, network.Genotype.ToString(), shape.InputChannels, shape.ImageSize,
            shape.Channels, shape.Layers, Auxiliary: false, mean, std, splits.Train.ClassNames, data.Path, test.Accuracy, data.Split);
        new ModelBundle(network, manifest).Save(Path.Combine(directory, SearchRun.ModelFolder));
        return test;
    }

    /// <summary>The fields of <c>summary.json</c> every run has; a run adds its own before <see cref="WriteSummary"/>.</summary>
    public static JsonObject Summary(string mode, SearchOptions options, LoadedDataset data, FixedNetwork network, ClassificationMetrics test,
        (double LearningRate, double WeightDecay) hyper, int totalEpochs, TrainingTime time) => new()
        {
            ["mode"] = mode,
            ["preset"] = options.Preset,
            ["seed"] = options.Seed,
            ["dataset"] = data.Path,
            ["dataset_format"] = data.Format,
            ["image_size"] = network.Shape.ImageSize,
            ["image_size_reason"] = data.SizeReason,
            ["test_split"] = data.Split is { } split ? $"{split.TestFraction} of each class, seed {split.Seed}" : "the dataset's own",
            ["total_epochs"] = totalEpochs,
            ["final_test_accuracy"] = test.Accuracy,
            ["final_test_top5_accuracy"] = test.Top5Accuracy,
            ["test_images"] = test.Count,
            ["parameter_count"] = network.ParameterCount(),
            ["multiply_adds"] = network.MultiplyAdds(),
            ["genotype"] = network.Genotype.ToString(),
            ["learning_rate"] = hyper.LearningRate,
            ["weight_decay"] = hyper.WeightDecay,
            ["wall_seconds"] = time.WallSeconds,
            ["peak_rss_mib"] = ProcessMemory.PeakResidentMiB(),
            ["rss_after_first_epoch_mib"] = time.RssAfterFirstEpoch,
            ["rss_end_mib"] = ProcessMemory.ResidentMiB(),
            ["threads"] = TorchSharp.torch.get_num_threads(),
        };

    public static void WriteSummary(string directory, JsonObject summary) =>
        AtomicFile.WriteAllText(Path.Combine(directory, SearchRun.SummaryFile), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The epoch lines of <c>metrics.jsonl</c> written so far.</summary>
    public static string[] MetricsLines(string directory) =>
        [.. File.ReadAllLines(Path.Combine(directory, SearchRun.MetricsFile)).Where(l => l.Length > 0)];

    private static double ReadWallSeconds(string directory)
    {
        var path = Path.Combine(directory, WallFile);
        return File.Exists(path) && double.TryParse(File.ReadAllText(path), CultureInfo.InvariantCulture, out var s) ? s : 0;
    }

    private static void SaveWallSeconds(string directory, double seconds) =>
        AtomicFile.WriteAllText(Path.Combine(directory, WallFile), seconds.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The resident memory measured when the first epoch (of this session) ends.</summary>
    private sealed class MemoryProbe : ISearchObserver
    {
        public double? RssAfterFirstEpoch { get; private set; }

        public void OnEpochCompleted(EpochMetrics metrics) => RssAfterFirstEpoch ??= ProcessMemory.ResidentMiB();
    }
}

/// <summary>A run's wall time over all its sessions, and the memory after its first epoch in this session.</summary>
internal sealed record TrainingTime(double WallSeconds, double? RssAfterFirstEpoch);
