using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>The deployable network of a search.</summary>
internal static class NetworkExport
{
    /// <summary>The genotype network with the trainer's weights and the op scalars folded into BN, in eval mode.</summary>
    public static FixedNetwork FromTrainer(DhaTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var architecture = trainer.FixedArchitecture();
            var network = FixedNetwork.FromSearch(trainer.Network, architecture, trainer.Encoder.Genotype);
            network.eval();
            return network;
        }
    }
}
