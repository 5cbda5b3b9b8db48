namespace Dha.Nas;

/// <summary>The support rule (DHA's <c>pick</c>) in one place; see <see cref="SupportRule"/>.</summary>
internal static class SupportSelection
{
    /// <summary>
    /// The 2 support pairs of a node from x (edge-major, entry <c>edge·7 + op</c>), strongest edge first. Ties go to
    /// the lower op and the lower edge (numpy argmax, Python's stable sort).
    /// </summary>
    public static GenotypeEdge[] Pick(ReadOnlySpan<double> x, SupportRule rule)
    {
        if (x.Length % Primitives.Count != 0 || x.Length / Primitives.Count < Genotype.EdgesPerNode)
        {
            throw new ArgumentException($"SupportSelection: x has {x.Length} entries, expected a multiple of 7 with at least 2 edges");
        }
        var edges = x.Length / Primitives.Count;
        var ops = rule == SupportRule.AllOps ? Primitives.Count : Primitives.Count - 1;
        var best = new (int Edge, int Op, double Value)[edges];
        for (var e = 0; e < edges; e++)
        {
            var bestOp = 0;
            for (var k = 1; k < ops; k++)
            {
                if (x[(e * Primitives.Count) + k] > x[(e * Primitives.Count) + bestOp])
                {
                    bestOp = k;
                }
            }
            best[e] = (e, bestOp, x[(e * Primitives.Count) + bestOp]);
        }
        return best
            .OrderByDescending(b => b.Value)
            .ThenBy(b => b.Edge)
            .Take(Genotype.EdgesPerNode)
            .Select(b => new GenotypeEdge((Primitive)b.Op, b.Edge))
            .ToArray();
    }
}
