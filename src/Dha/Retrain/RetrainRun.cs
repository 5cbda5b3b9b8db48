using Dha.Data;
using Dha.Nas;
using Dha.Search;

namespace Dha.Retrain;

/// <summary>
/// One retraining in its folder, laid out as a search's (<see cref="SearchRun"/>): <c>config.json</c>,
/// <c>genotype.json</c> (the architecture trained, written first: a resume reads it back), <c>checkpoint.bin</c>,
/// <c>metrics.jsonl</c>, and at the end <c>model/</c> (for <c>dha evaluate</c> and <c>dha predict</c>) and
/// <c>summary.json</c> with mode <c>retrain</c>.
/// </summary>
internal static class RetrainRun
{
    /// <summary>The mode <c>summary.json</c> records.</summary>
    public const string Mode = "retrain";

    /// <summary>A fresh run directory name under <c>runs/</c>: <c>runs/20261128-174501-retrain</c>.</summary>
    public static string DefaultDirectory() => Path.Combine("runs", $"{DateTime.Now:yyyyMMdd-HHmmss}-{Mode}");

    public static SearchResult Start(SearchOptions options, Genotype genotype, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(genotype);
        options.Validate();
        RunFolder.CheckFresh(directory);
        // the data is loaded and the trainer built before the folder exists: a bad dataset leaves no folder
        using var data = Load(options);
        options = options with { Train = RunBudget.ScaledForImages(options.Train, data.Train.Height, data.Train.Width) };
        using var trainer = GenotypeTrainer.Build(options, genotype, data.Train, data.Test, data.Path);
        using var runLock = RunFolder.Create(directory, options);
        AtomicFile.WriteAllText(Path.Combine(directory, SearchRun.GenotypeFile), genotype.ToJson());
        trainer.SaveCheckpoint(Path.Combine(directory, SearchRun.CheckpointFile)); // resumable from the first moment
        return Execute(trainer, data, directory, observer, cancel);
    }

    public static SearchResult Resume(string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        using var runLock = RunFolder.LockForResume(directory);
        var options = RunFolder.OpenForResume(directory);
        var genotypePath = Path.Combine(directory, SearchRun.GenotypeFile);
        if (!File.Exists(genotypePath))
        {
            throw new InvalidInputException($"--resume {directory}: no {SearchRun.GenotypeFile}; is this a retraining folder?");
        }
        var genotype = GenotypeInput.Read(genotypePath);
        using var data = Load(options);
        using var trainer = GenotypeTrainer.Build(options, genotype, data.Train, data.Test, data.Path);
        Checkpoint.LoadNewest(Path.Combine(directory, SearchRun.CheckpointFile), trainer.LoadCheckpoint, observer is null ? null : observer.OnWarning);
        MetricsJsonlWriter.KeepFirst(Path.Combine(directory, SearchRun.MetricsFile), trainer.Position.GlobalEpoch);
        return Execute(trainer, data, directory, observer, cancel);
    }

    private static LoadedDataset Load(SearchOptions options) =>
        DatasetLocator.Load(options.Data.Path, options.Data.ImageSize, options.Data.MaxImageSize, options.Seed, options.Data.TestFraction);

    private static SearchResult Execute(GenotypeTrainer trainer, LoadedDataset data, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        var options = trainer.Options;
        var time = RunFolder.Train(directory, (observers, checkpointDue) => trainer.Train(observers, cancel, checkpointDue), trainer.SaveCheckpoint, policy: null, observer);
        var test = RunFolder.SaveModel(directory, trainer.Network, trainer.Splits, trainer.Mean, trainer.Std, data, options.Data.BatchSize);
        var epochs = RunFolder.MetricsLines(directory).Length;
        var summary = RunFolder.Summary(Mode, options, data, trainer.Network, test, trainer.HyperParameters, epochs, time);
        RunFolder.WriteSummary(directory, summary);
        return new SearchResult(directory, Path.Combine(directory, SearchRun.ModelFolder), test.Accuracy, trainer.Genotype.ToString(), epochs, time.WallSeconds);
    }
}
