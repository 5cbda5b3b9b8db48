namespace Dha.Search;

/// <summary>
/// What a run reports while it works. The trainer prints nothing: the console progress, <c>metrics.jsonl</c> and
/// anything else are observers. Callbacks run on the trainer's thread; keep them cheap.
/// </summary>
public interface ISearchObserver
{
    void OnRunStarted(RunInfo info) { }

    void OnStepCompleted(StepMetrics metrics) { }

    void OnEpochCompleted(EpochMetrics metrics) { }

    void OnPhaseChanged(SearchPhase phase) { }

    void OnMessage(string message) { }
}

/// <summary>Phase A searches the architecture; phase B trains the same weights on with it fixed.</summary>
public enum SearchPhase
{
    Search,
    Train,
}

/// <summary>Sizes known when a run starts (or resumes).</summary>
public sealed record RunInfo(int StepsPerEpoch, int MaxEpochs, int StartEpoch, int StartStep, SearchPhase Phase, string Dataset, int TrainImages, int ValidationImages, int TestImages, long SearchNetworkParameters);

/// <summary>One training step; <paramref name="WaitSeconds"/> is the time spent waiting for the batch (data loading and augmentation not hidden by prefetching).</summary>
public sealed record StepMetrics(SearchPhase Phase, int Epoch, int Step, int StepsPerEpoch, double Loss, double Accuracy, double LearningRate, double WeightDecay, double StepSeconds, double WaitSeconds);

/// <summary>One line of <c>metrics.jsonl</c>.</summary>
public sealed record EpochMetrics(
    int Epoch,
    string Phase,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    double? TestAccuracy,
    double LearningRate,
    double WeightDecay,
    double PolicyEntropy,
    int FrozenNodes,
    string Genotype,
    double Seconds);
