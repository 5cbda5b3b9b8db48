using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class SearchNetworkTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_cell_outputs_four_nodes_of_channels_at_its_output_size(bool reduction, bool reductionPrev)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        // s0 comes from two cells back: twice the size of s1 when the previous cell reduced.
        var plan = new CellPlan(PrevPrevChannels: 6, PrevChannels: 10, Channels: 4, reduction, reductionPrev, InputSize: 8, OutputSize: reduction ? 4 : 8);
        using var cell = new SearchCell(plan);
        var s0 = randn(2, 6, reductionPrev ? 16 : 8, reductionPrev ? 16 : 8);
        var s1 = randn(2, 10, 8, 8);
        var output = cell.Forward(s0, s1, NasFixtures.ArchitectureOf(NasFixtures.Mixed), 0.0);
        Assert.Equal(new long[] { 2, 16, plan.OutputSize, plan.OutputSize }, output.shape);
    }

    [Theory]
    [InlineData(1, 28, 2, new[] { 28, 14, 7 })]
    [InlineData(3, 32, 2, new[] { 32, 16, 8 })]
    [InlineData(3, 224, 1, new[] { 28, 14, 7 })]
    public void The_network_classifies_mnist_cifar_and_imagenet_sized_images(int inputChannels, int size, int batch, int[] cellSizes)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var shape = NasFixtures.Tiny(inputChannels, size, channels: 4, layers: 3, classes: 7);
        var layout = new MacroLayout(shape);
        Assert.Equal(cellSizes, layout.Cells.Select(c => c.OutputSize).ToArray());
        Assert.Equal(new[] { 4, 8, 16 }, layout.Cells.Select(c => c.Channels).ToArray());
        Assert.Equal(new[] { false, true, true }, layout.Cells.Select(c => c.Reduction).ToArray());
        using var network = new SearchNetwork(shape);
        var images = randn(batch, inputChannels, size, size);
        var (logits, aux) = network.call(images, NasFixtures.ArchitectureOf(NasFixtures.Mixed));
        Assert.Equal(new long[] { batch, 7 }, logits.shape);
        Assert.NotNull(aux);
        Assert.Equal(new long[] { batch, 7 }, aux!.shape);
        network.eval();
        Assert.Null(network.call(images, NasFixtures.ArchitectureOf(NasFixtures.Mixed)).Aux);
    }

    [Fact]
    public void Reductions_sit_at_a_third_and_two_thirds_of_the_depth()
    {
        var shape = new NetworkShape(3, 32, 36, 20, 10, true);
        Assert.Equal(6, shape.FirstReduction);
        Assert.Equal(13, shape.SecondReduction);
        var layout = new MacroLayout(shape);
        Assert.Equal(new[] { 6, 13 }, layout.Cells.Select((c, i) => (c, i)).Where(t => t.c.Reduction).Select(t => t.i).ToArray());
        Assert.Equal(576, layout.FinalChannels); // 4 × 144
        Assert.Equal(8, layout.AuxSize);
        Assert.Equal(576, layout.AuxChannels);
    }

    [Fact]
    public void Without_an_auxiliary_head_no_aux_logits_are_returned()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var network = new SearchNetwork(NasFixtures.Tiny(auxiliary: false));
        Assert.Null(network.call(randn(2, 3, 8, 8), NasFixtures.ArchitectureOf(NasFixtures.Mixed)).Aux);
        Assert.DoesNotContain(network.named_parameters(), p => p.name.StartsWith("auxHead", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_support_ops_run_and_only_they_get_gradients()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(6);
        var shape = NasFixtures.Tiny(layers: 3);
        using var network = new SearchNetwork(shape);
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            for (var node = 0; node < 4; node++)
            {
                network.UnfreezeNodeAffine(type, node); // so BN affine parameters can show gradients too
            }
        }
        var architecture = NasFixtures.ArchitectureOf(NasFixtures.Mixed);
        network.ResetOpInvocations();
        var (logits, aux) = network.call(randn(2, 3, 8, 8), architecture);
        Assert.Equal(2 * 4 * shape.Layers, network.OpInvocations);
        (logits.sum() + aux!.sum()).backward();
        foreach (var cell in network.Cells)
        {
            for (var node = 0; node < 4; node++)
            {
                for (var input = 0; input < node + 2; input++)
                {
                    var edge = cell.Edge(node, input);
                    foreach (var p in Primitives.All)
                    {
                        var active = architecture.Support(cell.Type, node).Any(e => e.Input == input && e.Op == p);
                        Assert.Equal(active ? 1 : 0, edge.Invocations[(int)p]);
                        var parameters = edge[p].parameters().ToList();
                        Assert.All(parameters, q => Assert.Equal(active, q.grad is not null));
                    }
                }
            }
        }
    }

    [Fact]
    public void Mixed_op_norms_stay_frozen_at_identity_until_their_node_is_unfrozen()
    {
        NasFixtures.SingleThread();
        using var network = new SearchNetwork(NasFixtures.Tiny());
        var norms = (SearchCell cell, int node) => Enumerable.Range(0, node + 2)
            .SelectMany(input => Primitives.All.SelectMany(p => cell.Edge(node, input)[p].Norms));
        foreach (var cell in network.Cells)
        {
            Assert.All(Enumerable.Range(0, 4).SelectMany(node => norms(cell, node)), bn =>
            {
                Assert.False(bn.weight!.requires_grad);
                Assert.False(bn.bias!.requires_grad);
                Assert.Equal(1.0, bn.weight.min().ToDouble());
                Assert.Equal(0.0, bn.bias.abs().max().ToDouble());
            });
            Assert.True(cell.Preprocess1.LastNorm.weight!.requires_grad);
        }
        network.UnfreezeNodeAffine(CellType.Reduce, 2);
        foreach (var cell in network.Cells)
        {
            for (var node = 0; node < 4; node++)
            {
                var expected = cell.Type == CellType.Reduce && node == 2;
                Assert.All(norms(cell, node), bn => Assert.Equal(expected, bn.weight!.requires_grad && bn.bias!.requires_grad));
            }
        }
    }

    [Fact]
    public void Drop_path_acts_in_training_only()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(8);
        using var network = new SearchNetwork(NasFixtures.Tiny(auxiliary: false));
        var architecture = NasFixtures.ArchitectureOf(NasFixtures.Mixed);
        var x = randn(4, 3, 8, 8);
        network.eval();
        var reference = network.call(x, architecture).Logits;
        network.DropPathProbability = 0.5;
        Assert.True(allclose(reference, network.call(x, architecture).Logits));
        network.train();
        var clean = (network.DropPathProbability = 0.0, network.call(x, architecture).Logits).Item2;
        network.DropPathProbability = 0.5;
        Assert.False(allclose(clean, network.call(x, architecture).Logits, 1e-3, 1e-3));
    }
}
