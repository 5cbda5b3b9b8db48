using Dha.Nas;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class OperationTests
{
    // the op by name: a public test method cannot take the internal Primitive
    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var p in Primitives.All.Select(p => p.ToString()))
        {
            data.Add(p, 1, 8, 8);
            data.Add(p, 2, 8, 4);
            data.Add(p, 2, 7, 4); // odd maps halve to ⌈n/2⌉ for every op, FactorizedReduce included
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_op_keeps_channels_and_layout_and_divides_the_size_by_its_stride(string primitive, int stride, int size, int expected)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        using var op = Operations.Create(Enum.Parse<Primitive>(primitive), 4, stride);
        var plain = randn(2, 4, size, size);
        Assert.Equal(new long[] { 2, 4, expected, expected }, op.call(plain).shape);

        // the speed-up of ChannelsLast relies on converting only the stem output: no op may fall back to NCHW
        var x = plain.ToChannelsLast();
        Assert.Equal(1, x.stride(1));
        var y = op.call(x);
        Assert.Equal(new long[] { 2, 4, expected, expected }, y.shape);
        Assert.Equal(1, y.stride(1));
        Assert.Equal(4, y.stride(3));
    }

    [Fact]
    public void Both_stems_hand_the_cells_channels_last_maps()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        using var cifar = new CifarStem(1, 6);
        using var imageNet = new ImageNetStem(3, 4);
        foreach (var (stem, input) in new (nn.Module<Tensor, (Tensor, Tensor)>, Tensor)[] { (cifar, randn(2, 1, 8, 8)), (imageNet, randn(2, 3, 16, 16)) })
        {
            var (s0, s1) = stem.call(input);
            Assert.All(new[] { s0, s1 }, s => Assert.Equal(1, s.stride(1)));
        }
    }

    [Fact]
    public void Conv_layers_have_no_bias_and_every_op_ends_with_its_last_norm()
    {
        NasFixtures.SingleThread();
        foreach (var p in Primitives.All)
        {
            foreach (var stride in new[] { 1, 2 })
            {
                using var op = Operations.Create(p, 4, stride);
                Assert.All(op.modules().OfType<Conv2d>(), conv => Assert.Null(conv.bias));
                Assert.Same(op.modules().OfType<BatchNorm2d>().Last(), op.LastNorm);
                if (p is Primitive.MaxPool3x3 or Primitive.AvgPool3x3)
                {
                    Assert.Single(op.Norms); // design #10: one BN, not the reference's two
                }
            }
        }
    }

    [Fact]
    public void Factorized_reduce_matches_the_darts_shifted_slice_on_even_maps()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var op = new FactorizedReduce(4, 6);
        op.eval();
        var x = randn(2, 4, 8, 8);
        var p = op.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        // DARTS: cat([conv_1(relu x), conv_2(relu x[:, :, 1:, 1:])]) then BN (eval with fresh stats: divide by √(1+eps)).
        var r = nn.functional.relu(x);
        var a = nn.functional.conv2d(r, p["conv_1.weight"], strides: [2, 2]);
        var b = nn.functional.conv2d(r[.., .., 1.., 1..], p["conv_2.weight"], strides: [2, 2]);
        var expected = cat([a, b], 1) / Math.Sqrt(1 + 1e-5);
        Assert.True(allclose(op.call(x), expected, 1e-5, 1e-6));
    }

    [Fact]
    public void Identity_skip_is_a_batch_norm_of_its_input()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var op = Operations.Create(Primitive.SkipConnect, 3, 1);
        var x = randn(4, 3, 5, 5);
        var mean = x.mean([0, 2, 3], keepdim: true);
        var variance = x.var([0, 2, 3], unbiased: false, keepdim: true);
        Assert.True(allclose(op.call(x), (x - mean) / (variance + 1e-5).sqrt(), 1e-4, 1e-5));
    }

    [Fact]
    public void Average_pool_ignores_the_padding_at_the_border()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var op = new PoolBn(max: false, 1, 1);
        op.eval();
        var x = ones(1, 1, 4, 4);
        // count_include_pad = false: the corner average of ones is 1, not 4/9.
        Assert.Equal(1.0 / Math.Sqrt(1 + 1e-5), op.call(x)[0, 0, 0, 0].ToDouble(), 6);
    }

    [Fact]
    public void Drop_path_zeroes_whole_samples_and_scales_the_kept_ones()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        var x = ones(2000, 2, 3, 3);
        var y = DropPath.Apply(x, 0.25, training: true);
        var perSample = y.reshape(2000, -1);
        var kept = perSample[.., 0].gt(0);
        Assert.True(allclose(perSample.min(1).values, perSample.max(1).values)); // one decision per sample
        Assert.True(allclose(perSample[kept], full_like(perSample[kept], 1 / 0.75)));
        Assert.InRange(kept.to(ScalarType.Float64).mean().ToDouble(), 0.72, 0.78);
        var z = ones(3, 2);
        Assert.Same(z, DropPath.Apply(z, 0.5, training: false));
        Assert.Same(z, DropPath.Apply(z, 0.0, training: true));
    }
}
