using Dha.Nas;
using TorchSharp;

namespace Dha.Search;

/// <summary>
/// The second stage of a two-stage run (<see cref="SearchModes.IsTwoStage"/>; the reference's <c>ista_nor</c>,
/// <c>_da</c>, <c>_hpo</c>, <c>_doal</c>, dha-method §2): the genotype retrained from scratch. It is the trainer's
/// phase B on the search network with freshly drawn weights, computing with the genotype's pairs at scalar 1: the
/// support ops only, exactly the genotype's <see cref="FixedNetwork"/> (<see cref="FixedNetwork.FromSearch"/> then
/// copies it unchanged). So the DA and HPO learners, the schedules, checkpoints and resume of phase B serve the
/// retraining as they are, and the run folder is a search's.
/// </summary>
internal static class TwoStageRetrain
{
    private static readonly double[] UnitScalars = [.. Enumerable.Repeat(1.0, Genotype.EdgesPerNode * CellTopology.Nodes)];

    /// <summary>
    /// Overwrites every weight and BN statistic of <paramref name="network"/> with those a new network of its shape
    /// draws from torch's generator seeded by the run's <c>retrain</c> stream (each training step seeds it again).
    /// </summary>
    public static void Reinitialise(SearchNetwork network, int seed)
    {
        torch.manual_seed(Seeds.For(seed, "retrain"));
        using var fresh = new SearchNetwork(network.Shape);
        Operations.CopyState(fresh, network);
    }

    /// <summary>The architecture the retraining computes with: the genotype's pairs, each with scalar 1 (a constant).</summary>
    public static Architecture Architecture(Genotype genotype) => Nas.Architecture.FromGenotype(genotype, UnitScalars, UnitScalars);
}
