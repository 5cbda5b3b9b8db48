using System.Text.Json;
using System.Text.Json.Nodes;
using Dha.Augment;
using Dha.Data;
using Dha.Retrain;

namespace Dha.Search;

/// <summary>What a finished run hands back.</summary>
/// <param name="RunDirectory">The run folder, which holds everything the run wrote.</param>
/// <param name="ModelDirectory">Its <c>model/</c> folder, which <see cref="DhaModel.Load"/> reads.</param>
/// <param name="TestAccuracy">The final model's accuracy on the test split, in [0, 1].</param>
/// <param name="Genotype">The architecture found, in the notation of <c>genotype.json</c>.</param>
/// <param name="Epochs">The epochs run, over both phases.</param>
/// <param name="WallSeconds">The wall-clock seconds the training took, summed over every start of a resumed run.</param>
public sealed record SearchResult(string RunDirectory, string ModelDirectory, double TestAccuracy, string Genotype, int Epochs, double WallSeconds);

/// <summary>
/// One run in its folder (a search-then-retrain mode runs in <see cref="SearchThenRetrain"/>, in the same layout): <c>config.json</c> (resolved), <c>checkpoint.bin</c>, <c>metrics.jsonl</c>, <c>history.jsonl</c>
/// (<see cref="LearningHistoryWriter"/>), and at the end
/// <c>model/</c>, <c>genotype.json</c>, <c>policy.json</c> and <c>summary.json</c>. Every file is written atomically;
/// a run killed at any moment resumes from its last checkpoint with <see cref="Resume"/>.
/// </summary>
internal static class SearchRun
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
        RunFolder.CheckFresh(directory);
        // the data is loaded and the trainer built before the folder exists: a bad dataset leaves no folder
        using var data = Load(options);
        return StartLoaded(options, data, directory, observer, cancel);
    }

    /// <summary>The run's dataset, read as the options say and presented as they ask (<see cref="DataPresentation"/>).</summary>
    private static LoadedDataset Load(SearchOptions options)
    {
        var read = DatasetLocator.Load(options.Data.Path, options.Data.ImageSize, options.Data.MaxImageSize, options.Seed, options.Data.TestFraction);
        try
        {
            var presented = DataPresentation.Present(read, options.Data.PadTo, options.Data.Channels);
            if (!ReferenceEquals(presented, read))
            {
                read.Dispose();
            }
            return presented;
        }
        catch
        {
            read.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A run on data already in memory, which the caller keeps. Its config names the data <c>(in memory) NAME</c>, a
    /// path no dataset has, so a resume of the folder is refused rather than run on other data.
    /// </summary>
    internal static SearchResult Start(SearchOptions options, LoadedDataset data, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        options = options with { Data = options.Data with { Path = $"(in memory) {data.Path}" } };
        options.Validate();
        RunFolder.CheckFresh(directory);
        var presented = DataPresentation.Present(data, options.Data.PadTo, options.Data.Channels);
        using var owned = ReferenceEquals(presented, data) ? null : presented;
        return StartLoaded(options, presented with { Path = options.Data.Path! }, directory, observer, cancel);
    }

    private static SearchResult StartLoaded(SearchOptions options, LoadedDataset data, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        options = options with { Train = RunBudget.ScaledForImages(options.Train, data.Train.Height, data.Train.Width) };
        if (GenotypeSearch(options) is { } search)
        {
            return SearchThenRetrain.Start(options, data, directory, search, observer, cancel);
        }
        if (options.Train.TimeBudget > 0)
        {
            options = WithStepsForTime(options, data, observer);
        }
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, data.Path);
        using var runLock = RunFolder.Create(directory, options);
        AtomicFile.WriteAllText(Path.Combine(directory, HistoryFile), "");
        Checkpoint.Save(trainer, Path.Combine(directory, CheckpointFile)); // resumable from the first moment
        return Execute(trainer, data, directory, observer, cancel);
    }

    /// <summary>Steps measured per phase for a time budget, after as many warm-up steps.</summary>
    private const int SpeedSteps = 6;
    private const int WarmupSteps = 2;

    /// <summary>
    /// Turns the time budget into <c>train.steps</c> once, from the speed of a trainer built for the measurement and
    /// thrown away (the run itself starts from scratch, so it is exactly the run its saved config describes); the
    /// time budget is cleared, so a resumed or repeated run takes the same steps.
    /// </summary>
    private static SearchOptions WithStepsForTime(SearchOptions options, LoadedDataset data, ISearchObserver? observer)
    {
        StepSpeed speed;
        using (var probe = TrainerBuilder.Build(options, data.Train, data.Test, data.Path))
        {
            speed = probe.MeasureSpeed(WarmupSteps, SpeedSteps);
        }
        var steps = RunBudget.StepsForTime(options.Train.TimeBudget, speed, options.Train.SearchFraction);
        observer?.OnBudgetResolved(new BudgetResolved(options.Train.TimeBudget, speed, steps));
        return options with { Train = options.Train with { Steps = steps, TimeBudget = 0, BudgetImageSide = 0 } };
    }

    public static SearchResult Resume(string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        using var runLock = RunFolder.LockForResume(directory);
        var options = RunFolder.OpenForResume(directory);
        using var data = Load(options);
        if (GenotypeSearch(options) is { } search)
        {
            return SearchThenRetrain.Resume(directory, options, data, search, observer, cancel);
        }
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, data.Path);
        Checkpoint.LoadNewest(Path.Combine(directory, CheckpointFile), path => Checkpoint.Load(trainer, path), observer is null ? null : observer.OnWarning);
        MetricsJsonlWriter.KeepFirst(Path.Combine(directory, MetricsFile), trainer.Position.GlobalEpoch);
        MetricsJsonlWriter.KeepFirst(Path.Combine(directory, HistoryFile), trainer.Position.GlobalEpoch);
        return Execute(trainer, data, directory, observer, cancel);
    }

    /// <summary>The search of a mode that hands its genotype to a separate retraining (darts); null for the modes one trainer runs.</summary>
    private static GenotypeSearchBuilder? GenotypeSearch(SearchOptions options) => options.Mode switch
    {
        SearchMode.Darts => (o, data) => DartsTrainer.Build(o, data.Train, data.Test, data.Path),
        _ => null,
    };

    private static SearchResult Execute(DhaTrainer trainer, LoadedDataset data, string directory, ISearchObserver? observer, CancellationToken cancel)
    {
        var options = trainer.Options;
        var runFiles = new RunFiles(trainer, directory);
        var time = RunFolder.Train(directory, (observers, checkpointDue) => trainer.Train(observers, cancel, checkpointDue),
            path => Checkpoint.Save(trainer, path), trainer.Policy, runFiles,
            new CompositeObserver(new LearningHistoryWriter(trainer, Path.Combine(directory, HistoryFile)), observer));

        using var network = NetworkExport.FromTrainer(trainer);
        var test = RunFolder.SaveModel(directory, network, trainer.Splits, trainer.Mean, trainer.Std, data, options.Data.BatchSize);
        runFiles.WriteArchitectureFiles();

        var lines = RunFolder.MetricsLines(directory);
        var searchEpochs = lines.Count(l => l.Contains("\"phase\":\"search\"", StringComparison.Ordinal));
        var summary = RunFolder.Summary(options.Mode.ToText(), options, data, network, test, trainer.HyperParameters, lines.Length, time);
        summary["search_epochs"] = searchEpochs;
        var budget = trainer.Budget;
        summary["budget"] = budget.FromSteps
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{options.Train.Steps} steps, {options.Train.SearchFraction} of them searching")
            : "epochs";
        summary["planned_search_epochs"] = budget.SearchEpochs;
        summary["planned_train_epochs"] = budget.RetrainEpochs;
        summary["steps_per_epoch"] = budget.StepsPerEpoch;
        summary["steps"] = trainer.Position.GlobalStep;
        RunFolder.WriteSummary(directory, summary);
        return new SearchResult(directory, Path.Combine(directory, ModelFolder), test.Accuracy, trainer.Genotype.ToString(), lines.Length, time.WallSeconds);
    }

    private static JsonArray Matrix(double[] values, int n) =>
        new([.. Enumerable.Range(0, n).Select(i => (JsonNode?)new JsonArray([.. values.Skip(i * n).Take(n).Select(v => (JsonNode?)JsonValue.Create(v))]))]);

    /// <summary>The run folder's per-epoch files (genotype, policy).</summary>
    private sealed class RunFiles(DhaTrainer trainer, string directory) : ISearchObserver
    {
        public void OnEpochCompleted(EpochMetrics metrics) => WriteArchitectureFiles();

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
