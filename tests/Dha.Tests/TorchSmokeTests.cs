using static TorchSharp.torch;

namespace Dha.Tests;

public class TorchSmokeTests
{
    [Fact]
    public void Conv_forward_and_backward_run_on_the_native_library()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(1, 2, 3, padding: 1);
        var x = randn(2, 1, 5, 5);
        var y = conv.forward(x);
        y.sum().backward();
        Assert.Equal(new long[] { 2, 2, 5, 5 }, y.shape);
        Assert.NotNull(conv.weight!.grad);
        // The bias gradient of a sum is the number of output positions per channel.
        Assert.Equal(2 * 5 * 5, conv.bias!.grad!.data<float>()[0], 3);
    }
}
