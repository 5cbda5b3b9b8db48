using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Hpo;

/// <summary>
/// The network-weight optimiser of DHA: heavy-ball momentum SGD (no dampening, no Nesterov) whose learning rate η and
/// weight decay λ are supplied live at every step, because the HPO learner changes them every step. Besides moving
/// the weights it keeps what the hypergradient of that one step needs (dha-method §6.2, design §3 #6):
/// <code>
/// d = g + λ·w ;  v = μ·v_prev + d  (first update of a tensor: v = d) ;  w' = w − η·v
/// ∂L_val/∂η = −⟨∇L_val(w'), v⟩      ∂L_val/∂λ = −η·⟨∇L_val(w'), w⟩
/// </code>
/// The training gradient g is a constant of that step, so both derivatives are first order and no double backward
/// is needed: the update runs under <c>no_grad</c>, and the trainer back-propagates the validation loss through
/// the ordinary (leaf) parameters at w'.
/// <para>
/// A parameter takes part in a step only if it requires a gradient and has one. Parameters that did not run
/// (grad is null: set grads to null before the training backward with <c>Module.zero_grad()</c>, whose default in
/// TorchSharp 0.107 sets them to null, or <c>p.grad = null</c>; <c>Optimizer.zero_grad()</c> leaves zero tensors,
/// which would count as "ran") and frozen parameters (<c>requires_grad == false</c>) are left exactly as
/// they are, velocity included: no weight decay of weights that did not run (design §3 #25). A tensor's velocity
/// starts at its first update. Two reference behaviours can be switched on: <c>decayInactive</c> steps every weight
/// that ever had a gradient, with a zero gradient when its op did not run (the authors' zeroed gradients stay tensors,
/// dha-method §10 #25), and <c>aliasedWeightDecayGradient</c> reads ∂L_val/∂λ = −η·⟨∇L_val(w'), w'⟩ with 0 on a tensor's
/// first update, what the authors' in-place aliasing of w computes (dha-method §6.2).
/// </para>
/// <para>
/// Velocities and the copies of w live outside every dispose scope and are overwritten in place at every step, so
/// memory stays flat over a run.
/// </para>
/// </summary>
internal sealed class HyperSgd : IDisposable
{
    private readonly Parameter[] _weights;
    private readonly double _momentum;
    private readonly double _gradClip;
    private readonly Tensor?[] _velocities;
    private readonly Tensor?[] _previousWeights;
    private readonly List<int> _updated = [];
    private readonly HashSet<int> _firstUpdates = [];
    private readonly bool _decayInactive;
    private readonly bool _aliasedWeightDecayGradient;
    private bool _hasStep;
    private bool _disposed;

    /// <param name="weights">The network weights (not the architecture code z). Their order defines the saved state.</param>
    /// <param name="momentum">μ, the heavy-ball momentum.</param>
    /// <param name="gradClip">The global L2 norm the gradients are clipped to before the step.</param>
    /// <param name="decayInactive">Step the weights that had a gradient before but none now, as with a zero gradient (the reference).</param>
    /// <param name="aliasedWeightDecayGradient">The λ-hypergradient of the reference (updated weights, 0 on a first update).</param>
    public HyperSgd(IReadOnlyList<Parameter> weights, double momentum = 0.9, double gradClip = 5.0, bool decayInactive = false,
        bool aliasedWeightDecayGradient = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!double.IsFinite(momentum) || momentum < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be a finite number >= 0.");
        }
        if (!(gradClip > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(gradClip), gradClip, "The gradient clip must be > 0.");
        }
        _weights = [.. weights];
        _momentum = momentum;
        _gradClip = gradClip;
        _velocities = new Tensor?[_weights.Length];
        _previousWeights = new Tensor?[_weights.Length];
        _decayInactive = decayInactive;
        _aliasedWeightDecayGradient = aliasedWeightDecayGradient;
    }

    /// <summary>The global L2 norm of the gradients at the last <see cref="Step"/>, before clipping.</summary>
    public double LastGradNorm { get; private set; }

    /// <summary>
    /// Clips the global gradient norm over the participating parameters to the clip value (the gradients are scaled
    /// in place, as <c>clip_grad_norm_</c> does), then moves every participating parameter by one momentum step with
    /// learning rate η = <paramref name="learningRate"/> and weight decay λ = <paramref name="weightDecay"/>.
    /// Remembers v and the pre-update w of each updated tensor for <see cref="Hypergradient"/>.
    /// </summary>
    public void Step(double learningRate, double weightDecay)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be finite.");
        }
        if (!double.IsFinite(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be finite.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        _updated.Clear();
        _firstUpdates.Clear();
        var grads = new List<Tensor>(_weights.Length);
        for (var i = 0; i < _weights.Length; i++)
        {
            var weight = _weights[i];
            if (!weight.requires_grad)
            {
                continue;
            }
            var grad = weight.grad;
            if (grad is null)
            {
                if (_decayInactive && _velocities[i] is not null)
                {
                    // a zero gradient: only λ·w and the momentum move it; it adds nothing to the clipped norm
                    _updated.Add(i);
                    grads.Add(zeros_like(weight));
                }
                continue;
            }
            _updated.Add(i);
            grads.Add(grad);
        }
        _hasStep = true;

        LastGradNorm = GlobalNorm(grads);
        var clipCoefficient = _gradClip / (LastGradNorm + 1e-6);
        if (clipCoefficient < 1)
        {
            foreach (var grad in grads)
            {
                grad.mul_(clipCoefficient);
            }
        }

        for (var k = 0; k < _updated.Count; k++)
        {
            var i = _updated[k];
            var weight = _weights[i];
            var direction = grads[k].add(weight, alpha: weightDecay);
            var velocity = _velocities[i];
            if (velocity is null)
            {
                _velocities[i] = direction.DetachFromDisposeScope();
                _firstUpdates.Add(i);
            }
            else
            {
                velocity.mul_(_momentum).add_(direction);
                direction.Dispose(); // now, not at the end of the step: peak memory stays one tensor, not one model
            }

            var previous = _previousWeights[i];
            if (previous is null)
            {
                _previousWeights[i] = weight.detach().clone().DetachFromDisposeScope();
            }
            else
            {
                previous.copy_(weight);
            }

            weight.add_(_velocities[i]!, alpha: -learningRate);
        }
    }

    /// <summary>
    /// (∂L_val/∂η, ∂L_val/∂λ) of the last <see cref="Step"/>, read from the parameters' gradients, which must then
    /// hold ∇L_val at w' (clear the training gradients, run the validation forward and backward, then call this).
    /// Tensors the last step updated but that have no gradient now contribute nothing (the validation loss does not
    /// depend on them).
    /// </summary>
    /// <param name="learningRate">The η the last step used.</param>
    /// <exception cref="InvalidOperationException">No step was taken since construction or <see cref="Load"/>.</exception>
    public (double LearningRate, double WeightDecay) Hypergradient(double learningRate)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_hasStep)
        {
            throw new InvalidOperationException("Hypergradient needs a Step first (none since construction or Load).");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var velocityTerms = new List<Tensor>(_updated.Count);
        var weightTerms = new List<Tensor>(_updated.Count);
        foreach (var i in _updated)
        {
            var grad = _weights[i].grad;
            if (grad is null)
            {
                continue;
            }
            velocityTerms.Add(grad.mul(_velocities[i]!).sum(ScalarType.Float64));
            if (!_aliasedWeightDecayGradient)
            {
                weightTerms.Add(grad.mul(_previousWeights[i]!).sum(ScalarType.Float64));
            }
            else if (!_firstUpdates.Contains(i))
            {
                // the reference's v of a first update is detached, and its λ·w reads w after the in-place update
                weightTerms.Add(grad.mul(_weights[i]).sum(ScalarType.Float64));
            }
        }
        if (velocityTerms.Count == 0)
        {
            return (0.0, 0.0);
        }
        var velocityDot = stack(velocityTerms).sum().ToDouble();
        var weightDot = weightTerms.Count == 0 ? 0.0 : stack(weightTerms).sum().ToDouble();
        return (-velocityDot, -learningRate * weightDot);
    }

    /// <summary>
    /// Writes the velocities (per parameter index; absent ones are written as absent). The checkpoint container
    /// versions the format.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(_disposed, this);
        writer.Write(_weights.Length);
        foreach (var velocity in _velocities)
        {
            writer.Write(velocity is not null);
            velocity?.Save(writer);
        }
    }

    /// <summary>
    /// Restores the velocities written by <see cref="Save"/> for the same list of weights. The hypergradient record
    /// of the last step is not part of the state: call <see cref="Step"/> before <see cref="Hypergradient"/>.
    /// </summary>
    /// <exception cref="InvalidInputException">The data is not a HyperSgd state for these weights.</exception>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = reader.ReadInt32();
        if (count != _weights.Length)
        {
            throw new InvalidInputException($"checkpoint: the weight optimiser state holds {count} tensors, the network has {_weights.Length}");
        }

        var loaded = new Tensor?[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!reader.ReadBoolean())
                {
                    continue;
                }
                // read into a tensor shaped like the weight: the stream's own shape is checked against it, never
                // trusted to size an allocation
                var tensor = zeros_like(_weights[i], requires_grad: false).DetachFromDisposeScope();
                loaded[i] = tensor;
                try
                {
                    tensor.Load(reader);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidInputException($"checkpoint: the saved velocity of weight {i} does not fit the weight ({_weights[i].dtype} [{string.Join(", ", _weights[i].shape)}]): {e.Message}");
                }
                if (!AllFinite(tensor))
                {
                    throw new InvalidInputException($"checkpoint: the saved velocity of weight {i} holds a non-finite value");
                }
            }
        }
        catch
        {
            foreach (var tensor in loaded)
            {
                tensor?.Dispose();
            }
            throw;
        }

        using var noGrad = no_grad();
        for (var i = 0; i < count; i++)
        {
            var source = loaded[i];
            var target = _velocities[i];
            if (source is null)
            {
                target?.Dispose();
                _velocities[i] = null;
            }
            else if (target is null)
            {
                _velocities[i] = source.to(_weights[i].device).DetachFromDisposeScope();
                if (!ReferenceEquals(_velocities[i], source))
                {
                    source.Dispose();
                }
            }
            else
            {
                target.copy_(source);
                source.Dispose();
            }
        }
        _updated.Clear();
        _firstUpdates.Clear();
        _hasStep = false;
        LastGradNorm = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var tensor in _velocities.Concat(_previousWeights))
        {
            tensor?.Dispose();
        }
        Array.Clear(_velocities);
        Array.Clear(_previousWeights);
    }

    /// <summary>The weights it moves, in the order of the saved state and of <see cref="VelocityOf"/>.</summary>
    internal IReadOnlyList<Parameter> Weights => _weights;

    /// <summary>The velocity of weight <paramref name="index"/>, or null if it was never updated (DARTS's unrolled step reads it).</summary>
    internal Tensor? VelocityOf(int index) => _velocities[index];

    /// <summary>The indices of the weights the last step updated (for tests and diagnostics).</summary>
    internal IReadOnlyList<int> LastUpdated => _updated;

    private static bool AllFinite(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.isfinite().all().item<bool>();
    }

    // sqrt(Σ‖g‖²), accumulated in float64 whatever the weights' type.
    private static double GlobalNorm(List<Tensor> grads)
    {
        if (grads.Count == 0)
        {
            return 0.0;
        }
        var squares = grads.Select(g => g.square().sum(ScalarType.Float64)).ToArray();
        return Math.Sqrt(stack(squares).sum().ToDouble());
    }
}
