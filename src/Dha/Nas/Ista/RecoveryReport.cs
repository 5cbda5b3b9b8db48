namespace Dha.Nas;

/// <summary>What one end-of-epoch recovery did to a node.</summary>
/// <param name="Type">Cell type of the node.</param>
/// <param name="Node">Node index 0..3.</param>
/// <param name="Distance">‖x_new − x_last‖₂ (0 for nodes frozen before this recovery).</param>
/// <param name="Frozen">The node's freeze flag after this recovery.</param>
internal sealed record NodeRecovery(CellType Type, int Node, double Distance, bool Frozen);

/// <summary>
/// The outcome of <see cref="IstaEncoder.EndEpoch"/>: per-node distances, whether the new x was accepted (it is
/// rejected when its genotype network reaches the parameter limit; then x, genotype and freeze flags stay as they
/// were), the frozen count and the measured size. <see cref="Skipped"/> is true once the stop flag is set.
/// </summary>
internal sealed record RecoveryReport(
    IReadOnlyList<NodeRecovery> Nodes,
    bool Accepted,
    int FrozenCount,
    double? ParameterMillions,
    bool Skipped);
