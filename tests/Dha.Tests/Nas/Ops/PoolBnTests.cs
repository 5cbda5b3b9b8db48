using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

/// <summary>The reference's two BNs after a pool (design §3 #10) and their exact composition into one at export.</summary>
public class PoolBnTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Two_norms_run_in_a_row_and_compose_into_one_that_gives_the_same_output_in_eval_mode(bool max)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(8);
        using var two = new PoolBn(max, 4, 1, extraBn: true);
        using var one = new PoolBn(max, 4, 1);
        Assert.Equal(2, two.Norms.Count());
        Assert.Single(one.Norms);
        Assert.NotSame(two.Norms.First(), two.LastNorm);

        // training moves both BNs' statistics; then non-trivial affine parameters
        for (var i = 0; i < 3; i++)
        {
            two.call(randn(8, 4, 6, 6).mul(2).add(1));
        }
        using (no_grad())
        {
            foreach (var bn in two.Norms)
            {
                bn.weight!.copy_(randn(4));
                bn.bias!.copy_(randn(4));
            }
        }
        two.eval();
        var input = randn(5, 4, 6, 6);
        var first = two.Norms.First();
        var pooled = max ? nn.functional.max_pool2d(input, 3, 1, 1) : nn.functional.avg_pool2d(input, 3, 1, 1, count_include_pad: false);
        // the two BNs by hand, as eval mode computes them
        Tensor Bn(Tensor u, TorchSharp.Modules.BatchNorm2d bn) =>
            ((u - bn.running_mean!.view(1, -1, 1, 1)) / (bn.running_var!.view(1, -1, 1, 1) + bn.eps).sqrt() * bn.weight!.view(1, -1, 1, 1))
            + bn.bias!.view(1, -1, 1, 1);
        var expected = Bn(Bn(pooled, first), two.LastNorm);
        using (no_grad())
        {
            Assert.True(allclose(two.call(input), expected, rtol: 1e-5, atol: 1e-5));

            two.CopyComposedInto(one);
            one.eval();
            Assert.True(allclose(one.call(input), expected, rtol: 1e-4, atol: 1e-5));
        }
    }
}
