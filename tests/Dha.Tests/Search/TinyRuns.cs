using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>Options for end-to-end runs that take seconds: 512 real images, C=4, 3 cells, one thread.</summary>
internal static class TinyRuns
{
    public static SearchOptions Options(string dataDirectory, string mode = "dha") =>
        Presets.Get("small").WithOverrides([
            $"mode={mode}",
            "threads=1",
            "data.batch_size=32",
            "data.val_ratio=0.1",
            "network.channels=4",
            "network.layers=3",
            "train.search_epochs=2",
            "train.retrain_epochs=1",
            "train.checkpoint_steps=5",
            "hpo.hyper_learning_rate=1e-4",
        ]) with
        {
            Data = Presets.Get("small").Data with { Path = dataDirectory, BatchSize = 32, ValRatio = 0.1 },
        };

    public static string Data(TempFolder folder, int train = 512, int test = 128) =>
        TinyData.Create(Path.Combine(folder.Path, "data"), train, test);
}

/// <summary>Cancels the run after a given number of steps, as a kill would stop it.</summary>
internal sealed class CancelAfter(int steps, CancellationTokenSource source) : ISearchObserver
{
    private int _seen;

    public void OnStepCompleted(StepMetrics metrics)
    {
        if (++_seen == steps)
        {
            source.Cancel();
        }
    }
}

[CollectionDefinition("EndToEnd", DisableParallelization = true)]
public sealed class EndToEndCollection;
