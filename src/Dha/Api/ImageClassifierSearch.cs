using Dha.Data;
using Dha.Runtime;
using Dha.Search;

namespace Dha;

/// <summary>
/// The one call that searches an image classifier: architecture, augmentation policy and hyper-parameters learned
/// jointly, the network trained as it goes, a ready model at the end (no retraining). Everything a run writes goes into
/// its run folder (see <see cref="SearchRun"/>): <c>model/</c>, which <see cref="DhaModel.Load"/> reads, and the
/// checkpoint, metrics and summary. The search runs on a thread-pool thread; cancelling stops it at the next step
/// and leaves the folder resumable by <c>dha search --resume</c>.
/// </summary>
/// <example>
/// <code>
/// var result = await ImageClassifierSearch.RunAsync("data/my-images", runDirectory: "runs/mine");
/// using var model = DhaModel.Load(result.ModelDirectory);
/// </code>
/// </example>
public static class ImageClassifierSearch
{
    /// <summary>Searches on a dataset on disk.</summary>
    /// <param name="data">A dataset folder or file (any layout <c>dha datasets inspect</c> reads), <c>fashion-mnist</c>, or null for the shipped subset; it replaces <c>data.path</c> of <paramref name="options"/>.</param>
    /// <param name="options">The run's options; null means the <c>small</c> preset (<c>new SearchOptions()</c>).</param>
    /// <param name="runDirectory">A new or empty folder for the run; null makes one under <c>runs/</c>.</param>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancellationToken">Stops the run at the next step.</param>
    public static Task<SearchResult> RunAsync(string? data, SearchOptions? options = null, string? runDirectory = null,
        IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var resolved = options ?? new SearchOptions();
        resolved = resolved with { Data = resolved.Data with { Path = data } };
        return Run(resolved, runDirectory, progress, cancellationToken,
            (o, directory, observer, cancel) => SearchRun.Start(o, directory, observer, cancel));
    }

    /// <summary>
    /// Searches on images already in memory (see <see cref="ImageDataset.FromPixels"/>). The caller keeps and disposes
    /// both datasets. Such a run cannot be resumed from its folder, which does not hold the images.
    /// </summary>
    /// <param name="train">The training images; the validation split is taken from them as <c>data.val_ratio</c> says.</param>
    /// <param name="test">The test images, evaluated once at the end.</param>
    /// <param name="name">What the data is called in the run's files.</param>
    /// <param name="options">The run's options; null means the <c>small</c> preset. Its <c>data.path</c> is not used.</param>
    /// <param name="runDirectory">A new or empty folder for the run; null makes one under <c>runs/</c>.</param>
    /// <param name="progress">Told after every step.</param>
    /// <param name="cancellationToken">Stops the run at the next step.</param>
    public static Task<SearchResult> RunAsync(ImageDataset train, ImageDataset test, string name, SearchOptions? options = null,
        string? runDirectory = null, IProgress<SearchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var data = new LoadedDataset(train, test, "in-memory", name);
        return Run(options ?? new SearchOptions(), runDirectory, progress, cancellationToken,
            (o, directory, observer, cancel) => SearchRun.Start(o, data, directory, observer, cancel));
    }

    private static Task<SearchResult> Run(SearchOptions options, string? runDirectory, IProgress<SearchProgress>? progress,
        CancellationToken cancellationToken, Func<SearchOptions, string, ISearchObserver?, CancellationToken, SearchResult> start)
    {
        // the process-wide workarounds a search needs to be safe (see DhaRuntime); a no-op when the host applied them
        DhaRuntime.Configure();
        var directory = runDirectory ?? SearchRun.DefaultDirectory(options);
        var observer = progress is null ? null : new ProgressReporter(progress);
        return Task.Run(() => start(options, directory, observer, cancellationToken), cancellationToken);
    }

    /// <summary>Turns the trainer's step events into <see cref="SearchProgress"/> reports.</summary>
    private sealed class ProgressReporter(IProgress<SearchProgress> progress) : ISearchObserver
    {
        private int _maxEpochs;

        public void OnRunStarted(RunInfo info) => _maxEpochs = info.MaxEpochs;

        public void OnStepCompleted(StepMetrics metrics) =>
            progress.Report(new SearchProgress(metrics.Phase, metrics.Epoch, _maxEpochs, metrics.Step, metrics.StepsPerEpoch,
                metrics.Loss, metrics.Accuracy, metrics.LearningRate));
    }
}
