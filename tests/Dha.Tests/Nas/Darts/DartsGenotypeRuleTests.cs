using Dha.Nas;

namespace Dha.Tests.Nas.Darts;

/// <summary>The DARTS discretisation on weight tables worked out by hand.</summary>
public class DartsGenotypeRuleTests
{
    private const int None = DartsAlphas.None;

    /// <summary>A table of uniform rows (1/8 each) with the given entries (edge, op, weight) set.</summary>
    private static double[,] Table(params (int Edge, int Op, double Weight)[] entries)
    {
        var table = new double[CellTopology.Edges, DartsAlphas.Ops];
        for (var e = 0; e < CellTopology.Edges; e++)
        {
            for (var k = 0; k < DartsAlphas.Ops; k++)
            {
                table[e, k] = 1.0 / DartsAlphas.Ops;
            }
        }
        foreach (var (edge, op, weight) in entries)
        {
            table[edge, op] = weight;
        }
        return table;
    }

    [Fact]
    public void Each_node_keeps_its_two_edges_with_the_largest_non_none_weight_strongest_first_with_their_best_op()
    {
        // node 0 (edges 0, 1): edge 1's best is sep_conv_5x5 at 0.5 > edge 0's avg_pool at 0.4
        // node 1 (edges 2, 3, 4): none is the largest weight of edge 2 (0.9) but its best real op is only 0.13;
        //   edge 3: dil_conv_3x3 0.3, edge 4: skip_connect 0.2 → edges 3 then 4; edge 2 is dropped
        // node 2 (edges 5..8): edge 5 has none at 0.95 and max_pool at 0.6 (weights are as given, not renormalised);
        //   edge 8: dil_conv_5x5 0.35 → edges 5 (max_pool, not none) then 8
        // node 3 (edges 9..13): uniform rows tie everywhere → the lower op (max_pool) on the lower edges 9 and 10
        var normal = Table(
            (0, (int)Primitive.AvgPool3x3, 0.4), (1, (int)Primitive.SepConv5x5, 0.5),
            (2, None, 0.9), (2, (int)Primitive.SepConv3x3, 0.13), (3, (int)Primitive.DilConv3x3, 0.3), (4, (int)Primitive.SkipConnect, 0.2),
            (5, None, 0.95), (5, (int)Primitive.MaxPool3x3, 0.6), (8, (int)Primitive.DilConv5x5, 0.35));
        // reduce: every edge dominated by none; node 0 still keeps both its edges with their best real ops
        var reduce = Table([.. Enumerable.Range(0, CellTopology.Edges).Select(e => (e, None, 0.99)),
            (0, (int)Primitive.SkipConnect, 0.2), (1, (int)Primitive.DilConv3x3, 0.3)]);

        var genotype = DartsGenotypeRule.Derive(normal, reduce);

        Assert.Equal(
            Genotype.Parse("normal=[sep_conv_5x5@1 avg_pool_3x3@0 | dil_conv_3x3@1 skip_connect@2 | max_pool_3x3@0 dil_conv_5x5@3 | max_pool_3x3@0 max_pool_3x3@1] "
                + "reduce=[dil_conv_3x3@1 skip_connect@0 | max_pool_3x3@0 max_pool_3x3@1 | max_pool_3x3@0 max_pool_3x3@1 | max_pool_3x3@0 max_pool_3x3@1]"),
            genotype);
    }

    [Fact]
    public void The_genotype_of_alphas_is_the_rule_applied_to_the_softmax_of_their_rows()
    {
        using var alphas = new DartsAlphas(3e-4, 1e-3, seed: 3);
        var normal = alphas.Weights(CellType.Normal);
        for (var e = 0; e < CellTopology.Edges; e++)
        {
            Assert.Equal(1.0, Enumerable.Range(0, DartsAlphas.Ops).Sum(k => normal[e, k]), 12);
        }
        Assert.Equal(DartsGenotypeRule.Derive(normal, alphas.Weights(CellType.Reduce)), alphas.Genotype);
    }
}
