using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Dha.Tests.Hpo;

/// <summary>
/// A float64 conv(1→2, 3×3) → BN(2, train mode) → ReLU → global mean → linear(2→3) network with seeded weights,
/// plus an extra linear layer that the forward never runs (its grads stay null) and the same network written
/// functionally, so the loss can be evaluated at any weights w'(η, λ) under autograd.
/// </summary>
internal sealed class TinyHpoNet : IDisposable
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly Linear _fc;
    private readonly Linear _unused;

    public TinyHpoNet(int seed)
    {
        _conv = nn.Conv2d(1, 2, 3, padding: 1, dtype: ScalarType.Float64);
        _bn = nn.BatchNorm2d(2, dtype: ScalarType.Float64);
        _fc = nn.Linear(2, 3, dtype: ScalarType.Float64);
        _unused = nn.Linear(2, 2, dtype: ScalarType.Float64);
        Weights = [_conv.weight!, _conv.bias!, _bn.weight!, _bn.bias!, _fc.weight!, _fc.bias!, _unused.weight!, _unused.bias!];
        var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var weight in Weights)
        {
            weight.copy_(randn(weight.shape, ScalarType.Float64, generator: generator).mul_(0.5));
        }
        _bn.weight!.add_(1.0);
    }

    /// <summary>conv.w, conv.b, bn.γ, bn.β, fc.w, fc.b (the ones that run), then unused.w, unused.b.</summary>
    public IReadOnlyList<Parameter> Weights { get; }

    public const int UsedCount = 6;

    public Tensor Loss(Tensor images, Tensor labels) => F.cross_entropy(Forward(images), labels);

    public Tensor Forward(Tensor images) =>
        _fc.forward(F.relu(_bn.forward(_conv.forward(images))).mean([2, 3]));

    /// <summary>The same network at the given six weights (BN on batch statistics, as in train mode).</summary>
    public static Tensor FunctionalLoss(Tensor images, Tensor labels, IReadOnlyList<Tensor> w)
    {
        using var runningMean = zeros(2, ScalarType.Float64);
        using var runningVar = ones(2, ScalarType.Float64);
        var h = F.conv2d(images, w[0], w[1], padding: [1, 1]);
        h = F.batch_norm(h, runningMean, runningVar, w[2], w[3], training: true);
        var logits = F.linear(F.relu(h).mean([2, 3]), w[4], w[5]);
        return F.cross_entropy(logits, labels);
    }

    /// <summary>Every grad set to null (what Module.zero_grad() does by default in TorchSharp 0.107).</summary>
    public void ClearGrads()
    {
        foreach (var weight in Weights)
        {
            weight.grad = null;
        }
    }

    /// <summary>Forward + backward of the loss on one batch, after clearing grads.</summary>
    public void Backward(Tensor images, Tensor labels, double scale = 1.0)
    {
        ClearGrads();
        using var scope = NewDisposeScope();
        Loss(images, labels).mul(scale).backward();
    }

    public Tensor[] Snapshot()
    {
        using var noGrad = no_grad();
        return [.. Weights.Select(w => w.detach().clone())];
    }

    public Tensor[] Grads() => [.. Weights.Select(w => w.grad is { } g ? g.detach().clone() : zeros_like(w))];

    public void CopyFrom(TinyHpoNet other)
    {
        using var noGrad = no_grad();
        for (var i = 0; i < Weights.Count; i++)
        {
            Weights[i].copy_(other.Weights[i]);
        }
    }

    public void Dispose()
    {
        _conv.Dispose();
        _bn.Dispose();
        _fc.Dispose();
        _unused.Dispose();
    }

    /// <summary>A seeded batch: images [n, 1, 5, 5] float64 and labels in 0..2.</summary>
    public static (Tensor Images, Tensor Labels) Batch(int seed, int n = 6)
    {
        var generator = new Generator((ulong)seed);
        var images = randn([n, 1, 5, 5], ScalarType.Float64, generator: generator);
        var labels = randint(0, 3, [n], ScalarType.Int64, generator: generator);
        return (images, labels);
    }
}
