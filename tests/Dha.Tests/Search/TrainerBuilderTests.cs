using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
public class TrainerBuilderTests
{
    [Fact]
    public void A_search_runs_on_in_memory_datasets_and_reports_only_to_its_observer()
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 128, 32);
        using var data = DatasetLocator.Load(directory);
        var options = TinyRuns.Options(directory);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var recorder = new Recorder();
        var checkpoints = 0;

        trainer.Train(recorder, CancellationToken.None, () => checkpoints++);

        Assert.True(trainer.Finished);
        Assert.Equal("in memory", recorder.Started!.Dataset);
        Assert.False(recorder.Started.Resumed);
        Assert.Equal(8, recorder.Started.ArchitectureNodes);
        Assert.Equal(["search", "search", "train"], recorder.Epochs.Select(e => e.Phase));
        Assert.Equal([SearchPhase.Train], recorder.Phases);
        // two search epochs: the recovery runs after the first only (the last keeps the architecture it trained)
        var recovery = Assert.Single(recorder.Recoveries);
        Assert.Equal(0, recovery.Epoch);
        Assert.Equal(8, recovery.Report.Nodes.Count);
        Assert.Equal(recovery.Report.FrozenCount, recorder.Epochs[0].FrozenNodes);
        Assert.All(recorder.Frozen, f => Assert.InRange(f.Node, 0, 3));
        Assert.True(checkpoints >= 3, $"{checkpoints} checkpoints"); // at least every epoch end
        Assert.Equal(3 * trainer.StepsPerEpoch, recorder.Steps);
        // nothing was written anywhere: the data folder is all there is
        Assert.Equal([Path.Combine(folder.Path, "data")], Directory.GetFileSystemEntries(folder.Path));
        using var network = NetworkExport.FromTrainer(trainer);
        Assert.Equal(trainer.Genotype, network.Genotype);
    }

    private sealed class Recorder : ISearchObserver
    {
        public RunInfo? Started { get; private set; }

        public int Steps { get; private set; }

        public List<EpochMetrics> Epochs { get; } = [];

        public List<SearchPhase> Phases { get; } = [];

        public List<NodeFrozen> Frozen { get; } = [];

        public List<ArchitectureRecovery> Recoveries { get; } = [];

        public void OnRunStarted(RunInfo info) => Started = info;

        public void OnStepCompleted(StepMetrics metrics) => Steps++;

        public void OnEpochCompleted(EpochMetrics metrics) => Epochs.Add(metrics);

        public void OnPhaseChanged(SearchPhase phase) => Phases.Add(phase);

        public void OnNodeFrozen(NodeFrozen frozen) => Frozen.Add(frozen);

        public void OnRecovery(ArchitectureRecovery recovery) => Recoveries.Add(recovery);
    }
}
