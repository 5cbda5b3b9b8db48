using Dha.Hpo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The architecture gradient of DARTS (Liu et al. 2019, §2.3; dha-method §2, §8.5), left on
/// <see cref="DartsAlphas.Parameters"/> for its Adam step. First order: ∇α L_val(w, α). Second order: the gradient of
/// L_val(w', α) through one unrolled weight step w' = w − ξ(μ·v + ∇w L_train(w, α) + λ·w) (the momentum SGD step the
/// weights take, without clipping), which is
/// <code>
/// ∇α L_val(w', α) − ξ · ∇²α,w L_train(w, α) · dw',   dw' = ∇w' L_val(w', α)
/// ≈ ∇α L_val(w', α) − ξ · (∇α L_train(w + ε·dw', α) − ∇α L_train(w − ε·dw', α)) / (2ε),   ε = 0.01 / ‖dw'‖
/// </code>
/// (<see cref="HessianForm.Reference"/> divides by 2 and multiplies by ε instead). The unrolled and perturbed
/// weights are set in place and w is restored exactly afterwards, as are the batch-norm running statistics, so the
/// step changes nothing but α's gradient: the statistics follow the weight-training batches only.
/// </summary>
internal sealed class DartsArchitect
{
    /// <summary>DARTS's length of the finite-difference perturbation in weight space, ε·‖dw'‖.</summary>
    public const double DartsPerturbation = 0.01;

    private readonly nn.Module _network;
    private readonly DartsAlphas _alphas;
    private readonly HyperSgd _weights;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly int _order;
    private readonly HessianForm _hessian;

    /// <param name="network">The supernet; its trainable parameters are the weights w.</param>
    /// <param name="alphas">α, whose gradient is set.</param>
    /// <param name="weights">The weight optimiser, whose velocities v the unrolled step uses (built over <paramref name="network"/>'s parameters).</param>
    /// <param name="momentum">μ of the weight optimiser.</param>
    /// <param name="weightDecay">λ of the weight step.</param>
    /// <param name="order">1 or 2.</param>
    /// <param name="hessian">How the finite difference is scaled.</param>
    public DartsArchitect(nn.Module network, DartsAlphas alphas, HyperSgd weights, double momentum, double weightDecay, int order, HessianForm hessian)
    {
        if (order is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(order), order, "DARTS is of order 1 or 2.");
        }
        _network = network;
        _alphas = alphas;
        _weights = weights;
        _momentum = momentum;
        _weightDecay = weightDecay;
        _order = order;
        _hessian = hessian;
    }

    /// <summary>
    /// ε·‖dw'‖, <see cref="DartsPerturbation"/> unless a test sets a smaller one: on a tiny network a ReLU or
    /// max-pool that changes side within ±0.01 dominates the difference, which hides the formula being checked.
    /// </summary>
    internal double Perturbation { get; init; } = DartsPerturbation;

    /// <summary>Sets α's gradient (replacing any) for the batches that the two losses read.</summary>
    /// <param name="trainLoss">The training loss of the network with the given architecture.</param>
    /// <param name="validationLoss">The validation loss of the network with the given architecture.</param>
    /// <param name="learningRate">ξ, the learning rate of the weight step that follows.</param>
    public void SetGradient(Func<Architecture, Tensor> trainLoss, Func<Architecture, Tensor> validationLoss, double learningRate)
    {
        using var scope = NewDisposeScope();
        var alphas = _alphas.Parameters;
        IList<Tensor> gradient;
        using (new RunningStatistics(_network))
        {
            gradient = _order == 1
                ? autograd.grad([validationLoss(_alphas.Mix(differentiable: true))], [.. alphas])
                : Unrolled(trainLoss, validationLoss, learningRate);
        }
        for (var t = 0; t < alphas.Count; t++)
        {
            alphas[t].grad = gradient[t].detach().MoveToOuterDisposeScope();
        }
    }

    private Tensor[] Unrolled(Func<Architecture, Tensor> trainLoss, Func<Architecture, Tensor> validationLoss, double learningRate)
    {
        var indexed = _weights.Weights.Select((w, i) => (Weight: w, Index: i)).Where(p => p.Weight.requires_grad).ToArray();
        var weights = indexed.Select(p => (Tensor)p.Weight).ToArray();
        var alphas = _alphas.Parameters;
        var saved = weights.Select(w => w.detach().clone()).ToArray();
        try
        {
            var trainGradient = autograd.grad([trainLoss(_alphas.Mix(differentiable: false))], weights);
            using (no_grad())
            {
                for (var i = 0; i < weights.Length; i++)
                {
                    // w' = w − ξ(μ·v + g + λ·w): one step of the weight optimiser (velocity 0 before its first)
                    var direction = trainGradient[i].add(saved[i], alpha: _weightDecay);
                    if (_weights.VelocityOf(indexed[i].Index) is { } velocity)
                    {
                        direction.add_(velocity, alpha: _momentum);
                    }
                    weights[i].copy_(saved[i].add(direction, alpha: -learningRate));
                }
            }
            var unrolled = autograd.grad([validationLoss(_alphas.Mix(differentiable: true))], [.. alphas, .. weights]);
            var alphaGradient = unrolled.Take(alphas.Count).ToArray();
            var weightGradient = unrolled.Skip(alphas.Count).ToArray();
            var norm = Math.Sqrt(weightGradient.Sum(g => g.square().sum(ScalarType.Float64).ToDouble()));
            var epsilon = Perturbation / norm;
            var plus = PerturbedGradient(trainLoss, weights, saved, weightGradient, epsilon);
            var minus = PerturbedGradient(trainLoss, weights, saved, weightGradient, -epsilon);
            var scale = _hessian == HessianForm.Central ? 1 / (2 * epsilon) : epsilon / 2;
            return [.. alphaGradient.Select((g, t) => g.add(plus[t].sub(minus[t]), alpha: -learningRate * scale))];
        }
        finally
        {
            using var noGrad = no_grad();
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i].copy_(saved[i]);
            }
        }
    }

    /// <summary>∇α L_train at w + <paramref name="epsilon"/>·<paramref name="direction"/>.</summary>
    private IList<Tensor> PerturbedGradient(Func<Architecture, Tensor> trainLoss, Tensor[] weights, Tensor[] saved, Tensor[] direction, double epsilon)
    {
        using (no_grad())
        {
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i].copy_(saved[i].add(direction[i], alpha: epsilon));
            }
        }
        return autograd.grad([trainLoss(_alphas.Mix(differentiable: true))], [.. _alphas.Parameters]);
    }

    /// <summary>The batch-norm running statistics of a network, put back as they were on dispose.</summary>
    private sealed class RunningStatistics : IDisposable
    {
        private readonly (Tensor Buffer, Tensor Copy)[] _buffers;

        public RunningStatistics(nn.Module network)
        {
            _buffers = [.. network.modules().OfType<BatchNorm2d>()
                .SelectMany(bn => bn.buffers(recurse: false))
                .Select(b => (b, b.detach().clone().DetachFromDisposeScope()))];
        }

        public void Dispose()
        {
            using var noGrad = no_grad();
            foreach (var (buffer, copy) in _buffers)
            {
                buffer.copy_(copy);
                copy.Dispose();
            }
        }
    }
}
