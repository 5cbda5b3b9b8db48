using Dha.Data;
using Dha.Nas;
using Dha.Search;

namespace Dha.Retrain;

/// <summary>What builds the search stage of a search-then-retrain run from the run's options and data.</summary>
internal delegate IGenotypeSearch GenotypeSearchBuilder(SearchOptions options, LoadedDataset data);

/// <summary>
/// A search-then-retrain run (the paper's two-stage baselines, dha-method §2): a search
/// (<see cref="IGenotypeSearch"/>) for its epochs of the budget, its genotype written as <c>genotype.json</c>, then that
/// genotype trained from scratch (<see cref="GenotypeTrainer"/>) for the epochs the search left, of the same length,
/// so the run spends the budget a one-stage search spends. The folder is laid out as a one-stage search's
/// (<see cref="SearchRun"/>): <c>metrics.jsonl</c> has the search's epochs (phase <c>search</c>) and then the
/// retraining's (phase <c>retrain</c>, numbered on), <c>model/</c> holds the retrained network and
/// <c>summary.json</c> the mode. Both stages write the one <c>checkpoint.bin</c>; the phase of its position tells them
/// apart (a search's is always in the search phase), so a run killed in either stage resumes where it stood.
/// </summary>
internal static class SearchThenRetrain
{
    public static SearchResult Start(SearchOptions options, LoadedDataset data, string directory, GenotypeSearchBuilder build, ISearchObserver? observer,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(build);
        using var search = build(options, data);
        using var runLock = RunFolder.Create(directory, options);
        search.SaveCheckpoint(Path.Combine(directory, SearchRun.CheckpointFile)); // resumable from the first moment
        return Execute(search, retrain: null, data, directory, observer, cancel);
    }

    /// <summary>Continues the run in <paramref name="directory"/>, whose lock the caller holds, from its newest sound checkpoint.</summary>
    /// <exception cref="InvalidInputException">No checkpoint of this run loads.</exception>
    public static SearchResult Resume(string directory, SearchOptions options, LoadedDataset data, GenotypeSearchBuilder build, ISearchObserver? observer,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(build);
        using var search = build(options, data);
        GenotypeTrainer? retrain = null;
        try
        {
            Checkpoint.LoadNewest(Path.Combine(directory, SearchRun.CheckpointFile), file =>
            {
                retrain?.Dispose();
                retrain = null;
                if (Checkpoint.PhaseOf(file) == SearchPhase.Search)
                {
                    search.LoadCheckpoint(file);
                    return;
                }
                var trainer = Retraining(search, SearchedGenotype(directory), data);
                try
                {
                    trainer.LoadCheckpoint(file);
                }
                catch
                {
                    trainer.Dispose();
                    throw;
                }
                retrain = trainer;
            }, observer is null ? null : observer.OnWarning);
            var epochs = retrain is null ? search.Position.GlobalEpoch : search.Budget.SearchEpochs + retrain.Position.GlobalEpoch;
            MetricsJsonlWriter.KeepFirst(Path.Combine(directory, SearchRun.MetricsFile), epochs);
            return Execute(search, retrain, data, directory, observer, cancel);
        }
        finally
        {
            retrain?.Dispose();
        }
    }

    /// <summary>The rest of the search if <paramref name="retrain"/> is null, then the retraining, then the model and the summary.</summary>
    private static SearchResult Execute(IGenotypeSearch search, GenotypeTrainer? retrain, LoadedDataset data, string directory, ISearchObserver? observer,
        CancellationToken cancel)
    {
        var options = search.Options;
        var offset = search.Budget.SearchEpochs;
        var stage = retrain;
        GenotypeTrainer? started = null;
        try
        {
            var time = RunFolder.Train(directory, (observers, checkpointDue) =>
            {
                if (stage is null)
                {
                    search.Train(observers, cancel, checkpointDue);
                    var genotype = search.Genotype;
                    // before the retraining's first checkpoint: a resume from that one reads it back
                    AtomicFile.WriteAllText(Path.Combine(directory, SearchRun.GenotypeFile), genotype.ToJson());
                    stage = started = Retraining(search, genotype, data);
                    checkpointDue();
                    observers.OnPhaseChanged(SearchPhase.Train);
                }
                stage.Train(new RetrainStage(observers, offset, reportStart: retrain is not null), cancel, checkpointDue);
            }, path => SaveCheckpoint(search, stage, path), policy: null, observer);

            var trained = stage!;
            var test = RunFolder.SaveModel(directory, trained.Network, trained.Splits, trained.Mean, trained.Std, data, options.Data.BatchSize);
            var lines = RunFolder.MetricsLines(directory);
            var summary = RunFolder.Summary(options.Mode.ToText(), options, data, trained.Network, test, trained.HyperParameters, lines.Length, time);
            summary["search_epochs"] = offset;
            summary["retrain_epochs"] = trained.Epochs;
            summary["steps_per_epoch"] = trained.StepsPerEpoch;
            summary["steps"] = (long)offset * search.Budget.StepsPerEpoch + trained.Position.GlobalStep;
            RunFolder.WriteSummary(directory, summary);
            return new SearchResult(directory, Path.Combine(directory, SearchRun.ModelFolder), test.Accuracy, trained.Genotype.ToString(), lines.Length,
                time.WallSeconds);
        }
        finally
        {
            started?.Dispose();
        }
    }

    private static void SaveCheckpoint(IGenotypeSearch search, GenotypeTrainer? retrain, string path)
    {
        if (retrain is null)
        {
            search.SaveCheckpoint(path);
        }
        else
        {
            retrain.SaveCheckpoint(path);
        }
    }

    /// <summary>The retraining of <paramref name="genotype"/>: the epochs the search left, of the search's length.</summary>
    private static GenotypeTrainer Retraining(IGenotypeSearch search, Genotype genotype, LoadedDataset data) =>
        GenotypeTrainer.Build(search.Options, genotype, data.Train, data.Test, data.Path, (search.Budget.RetrainEpochs, search.Budget.StepsPerEpoch));

    private static Genotype SearchedGenotype(string directory)
    {
        var path = Path.Combine(directory, SearchRun.GenotypeFile);
        if (!File.Exists(path))
        {
            throw new InvalidInputException($"{path}: missing, but the checkpoint is one of the retraining that follows the search");
        }
        return Genotype.FromJson(File.ReadAllText(path));
    }

    /// <summary>
    /// The retraining's reports as the run's: its epochs numbered after the search's, and its start reported only when
    /// the session starts with it (otherwise the search's start and the phase change said it).
    /// </summary>
    private sealed class RetrainStage(ISearchObserver inner, int offset, bool reportStart) : ISearchObserver
    {
        public void OnRunStarted(RunInfo info)
        {
            if (reportStart)
            {
                inner.OnRunStarted(info with { MaxEpochs = info.MaxEpochs + offset, StartEpoch = info.StartEpoch + offset, SearchEpochs = offset });
            }
        }

        public void OnWarning(string message) => inner.OnWarning(message);

        public void OnStepCompleted(StepMetrics metrics) => inner.OnStepCompleted(metrics with { Epoch = metrics.Epoch + offset });

        public void OnEpochCompleted(EpochMetrics metrics) => inner.OnEpochCompleted(metrics with { Epoch = metrics.Epoch + offset });
    }
}
