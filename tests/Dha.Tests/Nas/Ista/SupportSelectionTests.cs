using Dha.Nas;

namespace Dha.Tests.Nas;

public class SupportSelectionTests
{
    private static double[] Node(params double[][] edges) => edges.SelectMany(e => e).ToArray();

    [Fact]
    public void All_ops_rule_can_pick_the_last_op_while_the_reference_rule_cannot()
    {
        var x = Node(
            [0.1, 0, 0, 0, 0, 0, 0.9],   // edge 0: best overall dil_conv_5x5, best of ops 0..5 max_pool
            [0, 0.3, 0, 0, 0, 0, 0]);    // edge 1: avg_pool
        Assert.Equal(
            [new GenotypeEdge(Primitive.DilConv5x5, 0), new GenotypeEdge(Primitive.AvgPool3x3, 1)],
            SupportSelection.Pick(x, SupportRule.AllOps));
        Assert.Equal(
            [new GenotypeEdge(Primitive.AvgPool3x3, 1), new GenotypeEdge(Primitive.MaxPool3x3, 0)],
            SupportSelection.Pick(x, SupportRule.Reference));
    }

    [Fact]
    public void Values_rank_by_sign_not_magnitude_and_two_distinct_edges_are_kept()
    {
        var x = Node(
            [-1, -1, -1, -0.1, -1, -1, -1],     // edge 0: best -0.1 (sep_conv_3x3)
            [-2, -2, -0.05, -2, -2, -2, -2],    // edge 1: best -0.05 (skip_connect)
            [-3, -3, -3, -3, -0.5, -3, 0.4],    // edge 2: best 0.4 (dil_conv_5x5), or -0.5 (sep_conv_5x5) without it
            [-5, -4, -4, -4, -4, -4, -4]);      // edge 3: the largest |x| of the node, never picked
        Assert.Equal(
            [new GenotypeEdge(Primitive.DilConv5x5, 2), new GenotypeEdge(Primitive.SkipConnect, 1)],
            SupportSelection.Pick(x, SupportRule.AllOps));
        Assert.Equal(
            [new GenotypeEdge(Primitive.SkipConnect, 1), new GenotypeEdge(Primitive.SepConv3x3, 0)],
            SupportSelection.Pick(x, SupportRule.Reference));
    }

    [Fact]
    public void One_edge_with_two_strong_ops_still_yields_two_edges()
    {
        var x = Node(
            [0, 0, 0, 0.8, 0.7, 0, 0],
            [0, 0, 0, 0, 0, 0.01, 0],
            [0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(
            [new GenotypeEdge(Primitive.SepConv3x3, 0), new GenotypeEdge(Primitive.DilConv3x3, 1)],
            SupportSelection.Pick(x, SupportRule.AllOps));
    }

    [Fact]
    public void Ties_go_to_the_lower_op_and_the_lower_edge()
    {
        var x = new double[5 * 7];
        Assert.Equal(
            [new GenotypeEdge(Primitive.MaxPool3x3, 0), new GenotypeEdge(Primitive.MaxPool3x3, 1)],
            SupportSelection.Pick(x, SupportRule.Reference));
    }
}
