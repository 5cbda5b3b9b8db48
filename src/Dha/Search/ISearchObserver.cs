using Dha.Nas;

namespace Dha.Search;

/// <summary>
/// What a run reports while it works: the only channel out of the trainer, which prints nothing. The console
/// progress, <c>metrics.jsonl</c> (<see cref="MetricsJsonlWriter"/>) and anything else are observers; combine them
/// with <see cref="CompositeObserver"/>. Callbacks run on the trainer's thread; keep them cheap.
/// </summary>
internal interface ISearchObserver
{
    /// <summary>A time budget became a step count (before the run starts; a resumed run has its steps already).</summary>
    void OnBudgetResolved(BudgetResolved budget) { }

    void OnRunStarted(RunInfo info) { }

    /// <summary>Something the user should know that does not stop the run (a damaged checkpoint was passed over), in one line.</summary>
    void OnWarning(string message) { }

    void OnStepCompleted(StepMetrics metrics) { }

    void OnEpochCompleted(EpochMetrics metrics) { }

    void OnPhaseChanged(SearchPhase phase) { }

    /// <summary>A node's code froze at the start of a search epoch; its mixed-op BN affine trains from now on.</summary>
    void OnNodeFrozen(NodeFrozen frozen) { }

    /// <summary>The end-of-epoch recovery of the architecture from the codes (every search epoch but the last).</summary>
    void OnRecovery(ArchitectureRecovery recovery) { }
}

/// <summary>Phase A searches the architecture; phase B trains the same weights on with it fixed.</summary>
public enum SearchPhase
{
    /// <summary>Phase A: the architecture, and the mode's other learners, are searched while the weights train.</summary>
    Search,

    /// <summary>Phase B: the weights train on with the architecture fixed.</summary>
    Train,
}

/// <summary>What a time budget became.</summary>
/// <param name="TimeBudgetSeconds">The seconds given (<c>train.time_budget</c>).</param>
/// <param name="Speed">The seconds per step measured for each phase.</param>
/// <param name="Steps">The step count recorded as <c>train.steps</c>.</param>
internal sealed record BudgetResolved(double TimeBudgetSeconds, StepSpeed Speed, long Steps);

/// <summary>Sizes known when a run starts (or resumes).</summary>
/// <param name="StepsPerEpoch">Training steps in one epoch.</param>
/// <param name="MaxEpochs">
/// The run's epochs as planned now: search epochs (their cap) plus training epochs (<see cref="RunBudget"/>); for a
/// run resumed in phase B, the epochs it searched plus its training epochs.
/// </param>
/// <param name="StartEpoch">The epoch the run starts at, counted over both phases from 0.</param>
/// <param name="StartStep">Steps of that epoch already done.</param>
/// <param name="Phase">The phase the run starts in.</param>
/// <param name="Dataset">What the data is called (a path or a name).</param>
/// <param name="TrainImages">Images in the training split.</param>
/// <param name="ValidationImages">Images in the validation split.</param>
/// <param name="TestImages">Images in the test split.</param>
/// <param name="SearchNetworkParameters">Parameters of the search network.</param>
/// <param name="ArchitectureNodes">Nodes the architecture search decides (both cell types).</param>
/// <param name="Resumed">Whether the run continues from a checkpoint.</param>
/// <param name="SearchEpochs">Phase A epochs: their cap, or once phase B began, the epochs searched (0 for a retraining).</param>
/// <param name="SpareEpochsTrain">
/// When the search ends before its cap (every node froze): whether the unused search epochs train in phase B (a step
/// budget) rather than shorten the run (a run sized by epochs).
/// </param>
internal sealed record RunInfo(int StepsPerEpoch, int MaxEpochs, int StartEpoch, int StartStep, SearchPhase Phase, string Dataset, int TrainImages,
    int ValidationImages, int TestImages, long SearchNetworkParameters, int ArchitectureNodes, bool Resumed, int SearchEpochs, bool SpareEpochsTrain);

/// <summary>One training step; <paramref name="WaitSeconds"/> is the time spent waiting for the batch (data loading and augmentation not hidden by prefetching).</summary>
internal sealed record StepMetrics(SearchPhase Phase, int Epoch, int Step, int StepsPerEpoch, double Loss, double Accuracy, double LearningRate, double WeightDecay, double StepSeconds, double WaitSeconds);

/// <summary>One line of <c>metrics.jsonl</c>.</summary>
internal sealed record EpochMetrics(
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

/// <summary>Node <paramref name="Node"/> of the <paramref name="Cell"/> cell froze as epoch <paramref name="Epoch"/> (counted from 0) began.</summary>
internal sealed record NodeFrozen(int Epoch, CellType Cell, int Node);

/// <summary>What the recovery at the end of epoch <paramref name="Epoch"/> (counted from 0) did to every node.</summary>
internal sealed record ArchitectureRecovery(int Epoch, RecoveryReport Report);
