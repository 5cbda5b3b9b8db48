namespace Dha.Nas;

/// <summary>
/// The DARTS discretisation (Liu et al. 2019, <c>model_search.genotype</c>): per node, every incoming edge is scored by
/// its largest softmax weight over the ops other than <c>none</c>; the 2 best-scored edges are kept, strongest first,
/// each with its best op other than <c>none</c>. A <c>none</c> weight larger than every other op's on an edge neither
/// removes the edge nor is ever chosen. Ties go to the lower op and the lower edge (stable sort, as in DARTS).
/// </summary>
internal static class DartsGenotypeRule
{
    /// <summary>The genotype of two weight tables (softmax rows; columns as <see cref="DartsAlphas"/> lays them out).</summary>
    /// <param name="normal">14 × 8 weights of the normal cell, edges node-major (<see cref="CellTopology.EdgeIndex"/>).</param>
    /// <param name="reduce">14 × 8 weights of the reduction cell.</param>
    public static Genotype Derive(double[,] normal, double[,] reduce) => new(Cell(normal), Cell(reduce));

    private static IEnumerable<GenotypeEdge> Cell(double[,] weights)
    {
        if (weights.GetLength(0) != CellTopology.Edges || weights.GetLength(1) != DartsAlphas.Ops)
        {
            throw new ArgumentException($"DartsGenotypeRule: expected {CellTopology.Edges} x {DartsAlphas.Ops} weights, got {weights.GetLength(0)} x {weights.GetLength(1)}");
        }
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            var best = new (int Input, Primitive Op, double Weight)[CellTopology.InputCount(node)];
            for (var input = 0; input < best.Length; input++)
            {
                var edge = CellTopology.EdgeIndex(node, input);
                var op = 0;
                for (var k = 1; k < Primitives.Count; k++)
                {
                    if (weights[edge, k] > weights[edge, op])
                    {
                        op = k;
                    }
                }
                best[input] = (input, (Primitive)op, weights[edge, op]);
            }
            foreach (var kept in best.OrderByDescending(b => b.Weight).ThenBy(b => b.Input).Take(Genotype.EdgesPerNode))
            {
                yield return new GenotypeEdge(kept.Op, kept.Input);
            }
        }
    }
}
