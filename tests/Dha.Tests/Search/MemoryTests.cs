using Dha.Search;
using TorchSharp;

namespace Dha.Tests.Search;

[Collection("EndToEnd")]
public class MemoryTests
{
    [Fact]
    public void Live_tensors_stay_flat_from_the_first_epoch_to_the_last()
    {
        using var folder = new TempFolder();
        var options = TinyRuns.Options(TinyRuns.Data(folder, 256, 64)).WithOverrides(["train.search_epochs=3", "train.retrain_epochs=3"]);
        var probe = new LiveTensorProbe();
        SearchRun.Start(options, Path.Combine(folder.Path, "run"), probe, CancellationToken.None);

        Assert.Equal(6, probe.AfterEpoch.Count);
        // New state appears only when parameters start to train (a node freezes, the phase switch unfreezes BN):
        // between epochs where that does not happen, nothing may grow.
        Assert.Equal(probe.AfterEpoch[4], probe.AfterEpoch[5]);
        Assert.Equal(probe.AfterEpoch[3], probe.AfterEpoch[4]);
        if (probe.Frozen[1] == probe.Frozen[0])
        {
            Assert.Equal(probe.AfterEpoch[0], probe.AfterEpoch[1]);
        }
    }

    private sealed class LiveTensorProbe : ISearchObserver
    {
        public List<long> AfterEpoch { get; } = [];

        public List<int> Frozen { get; } = [];

        public void OnEpochCompleted(EpochMetrics metrics)
        {
            AfterEpoch.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount);
            Frozen.Add(metrics.FrozenNodes);
        }
    }
}
