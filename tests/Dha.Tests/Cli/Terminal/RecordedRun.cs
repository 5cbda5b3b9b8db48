using Dha.Nas;
using Dha.Search;
using Microsoft.Extensions.Time.Testing;

namespace Dha.Tests.Cli.Terminal;

/// <summary>
/// A run's observer events, recorded once and replayed: 5 steps per epoch of 1 s on a fake clock, 8 architecture
/// nodes, two search epochs then training. Node 2 of the normal cell freezes as epoch 2 begins (all 8 with
/// <paramref name="allFreeze"/>, before a cap of 3); the validation accuracy of epoch e is <see cref="Validation"/>(e).
/// </summary>
internal sealed class RecordedRun(bool allFreeze)
{
    public const int StepsPerEpoch = 5;
    public const int Nodes = 8;
    public const string Genotype =
        "normal=[sep_conv_3x3@0 sep_conv_3x3@1 skip_connect@0 sep_conv_3x3@1 skip_connect@0 dil_conv_3x3@2 sep_conv_5x5@0 skip_connect@3] " +
        "reduce=[max_pool_3x3@0 max_pool_3x3@1 skip_connect@2 max_pool_3x3@1 max_pool_3x3@0 skip_connect@2 skip_connect@2 max_pool_3x3@1]";

    public FakeTimeProvider Clock { get; } = new();

    /// <summary>Search epochs' cap.</summary>
    public int Cap => allFreeze ? 3 : 2;

    /// <summary>Epochs as planned at the start (a step budget: unused search epochs train).</summary>
    public int Epochs => Cap + 2;

    public static double Validation(int epoch) => 0.5123 + 0.1 * epoch - (epoch == 2 ? 0.2 : 0);

    public static double Seconds(int epoch) => 31.6 + epoch;

    public static double LearningRate(int epoch) => 0.025 - 0.001 * epoch;

    public static EpochMetrics Metrics(int epoch, string phase, int frozen) =>
        new(epoch, phase, 1.2 - 0.1 * epoch, 0.4 + 0.1 * epoch, 1.1 - 0.1 * epoch, Validation(epoch), null, LearningRate(epoch), 3e-4, 4.21, frozen, Genotype, Seconds(epoch));

    public void Replay(ISearchObserver observer)
    {
        observer.OnRunStarted(new RunInfo(StepsPerEpoch, Epochs, 0, 0, SearchPhase.Search, "data/fashion-mnist-small", 9000, 1000, 2000, 123_456, Nodes, false, Cap, true));
        var frozen = 0;
        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            var phase = epoch < 2 ? SearchPhase.Search : SearchPhase.Train;
            if (epoch == 1)
            {
                foreach (var (cell, node) in allFreeze ? Enumerable.Range(0, Nodes).Select(n => (n < 4 ? CellType.Normal : CellType.Reduce, n % 4)) : [(CellType.Normal, 2)])
                {
                    observer.OnNodeFrozen(new NodeFrozen(epoch, cell, node));
                    frozen++;
                }
            }
            for (var step = 1; step <= StepsPerEpoch; step++)
            {
                Clock.Advance(TimeSpan.FromSeconds(1));
                observer.OnStepCompleted(new StepMetrics(phase, epoch, step, StepsPerEpoch, 0.9, 0.6, LearningRate(epoch), 3e-4, 0.8, 0.2));
            }
            if (epoch == 0)
            {
                observer.OnRecovery(new ArchitectureRecovery(epoch, new RecoveryReport([], true, 1, 0.12, false)));
            }
            observer.OnEpochCompleted(Metrics(epoch, phase == SearchPhase.Search ? "search" : "train", frozen));
            if (epoch == 1)
            {
                observer.OnPhaseChanged(SearchPhase.Train);
            }
        }
    }
}
