using Dha.Optimisers;

namespace Dha.Hpo;

/// <summary>
/// Learns the learning rate η and the weight decay λ of the weight step by hypergradient descent (dha-method §6.1):
/// one SGD step with Nesterov momentum on the pair (η, λ) per training step, with its own learning rate h_lr and its
/// own weight decay, then a clamp into each range. η and λ are scalars, so they are plain doubles here.
/// The update is that of <c>torch.optim.SGD(nesterov: true, dampening: 0)</c>, per scalar p with gradient g:
/// <code>
/// d = g + wd·p ;  buf = μ·buf + d  (first step: buf = d) ;  d = d + μ·buf ;  p = clamp(p − h_lr·d)
/// </code>
/// The clamp bounds every step, however large the hypergradient or h_lr: η and λ never leave their ranges.
/// The two search phases use different h_lr (the trainer sets <see cref="HyperLearningRate"/> at the switch) and
/// phase B may restart η and λ at their midpoints (design §3 #1).
/// </summary>
internal sealed class HyperLearner
{
    private readonly HyperRange _learningRateRange;
    private readonly HyperRange _weightDecayRange;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly List<(double LearningRate, double WeightDecay)> _trajectory = [];
    private double _hyperLearningRate;
    private double[]? _buffer; // the momentum buffer of (η, λ); null until the first step

    /// <param name="learningRateRange">The range of η; η starts at its midpoint.</param>
    /// <param name="weightDecayRange">The range of λ; λ starts at its midpoint.</param>
    /// <param name="hyperLearningRate">h_lr, the step size on (η, λ).</param>
    /// <param name="momentum">The Nesterov momentum of the hyper-optimiser.</param>
    /// <param name="weightDecay">The weight decay the hyper-optimiser applies to η and λ themselves.</param>
    public HyperLearner(
        HyperRange learningRateRange,
        HyperRange weightDecayRange,
        double hyperLearningRate,
        double momentum = 0.9,
        double weightDecay = 5e-4)
    {
        if (!double.IsFinite(momentum) || momentum < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The momentum must be a finite number >= 0.");
        }
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be a finite number >= 0.");
        }
        _learningRateRange = learningRateRange;
        _weightDecayRange = weightDecayRange;
        _momentum = momentum;
        _weightDecay = weightDecay;
        HyperLearningRate = hyperLearningRate;
        LearningRate = learningRateRange.Midpoint;
        WeightDecay = weightDecayRange.Midpoint;
    }

    /// <summary>η, the learning rate of the next weight step.</summary>
    public double LearningRate { get; private set; }

    /// <summary>λ, the weight decay of the next weight step.</summary>
    public double WeightDecay { get; private set; }

    /// <summary>h_lr; the trainer sets the phase-B value (h_lr_tune) at the phase switch.</summary>
    public double HyperLearningRate
    {
        get => _hyperLearningRate;
        set
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The hyper learning rate must be a finite number >= 0.");
            }
            _hyperLearningRate = value;
        }
    }

    /// <summary>(η, λ) after every <see cref="Step"/> and <see cref="Restart"/>, in order, for logging.</summary>
    public IReadOnlyList<(double LearningRate, double WeightDecay)> Trajectory => _trajectory;

    /// <summary>The smallest and largest η and λ of the last <paramref name="steps"/> entries of <see cref="Trajectory"/>; null if it holds none.</summary>
    public (double LearningRateMin, double LearningRateMax, double WeightDecayMin, double WeightDecayMax)? RangeOfLast(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var last = _trajectory.Skip(Math.Max(0, _trajectory.Count - steps)).ToArray();
        return last.Length == 0
            ? null
            : (last.Min(t => t.LearningRate), last.Max(t => t.LearningRate), last.Min(t => t.WeightDecay), last.Max(t => t.WeightDecay));
    }

    /// <summary>One Nesterov step on (η, λ) with the given hypergradients (from <see cref="HyperSgd.Hypergradient"/>), then the clamp.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A gradient is NaN or infinite (the validation loss diverged).</exception>
    public void Step(double learningRateGradient, double weightDecayGradient)
    {
        if (!double.IsFinite(learningRateGradient))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRateGradient), learningRateGradient, "The learning-rate hypergradient is not finite.");
        }
        if (!double.IsFinite(weightDecayGradient))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecayGradient), weightDecayGradient, "The weight-decay hypergradient is not finite.");
        }

        // one optimiser step on the pair, then each value clamped into its range
        double[] pair = [LearningRate, WeightDecay];
        NesterovSgd.Step(pair, [learningRateGradient, weightDecayGradient], ref _buffer, _hyperLearningRate, _momentum, _weightDecay);
        LearningRate = _learningRateRange.Clamp(pair[0]);
        WeightDecay = _weightDecayRange.Clamp(pair[1]);
        _trajectory.Add((LearningRate, WeightDecay));
    }

    /// <summary>η and λ back to their midpoints (the phase switch with <c>hpo.restart</c>).</summary>
    /// <param name="clearMomentum">Clear the momentum too (this project); false keeps it, as the authors' restart does.</param>
    public void Restart(bool clearMomentum = true)
    {
        LearningRate = _learningRateRange.Midpoint;
        WeightDecay = _weightDecayRange.Midpoint;
        if (clearMomentum)
        {
            _buffer = null;
        }
        _trajectory.Add((LearningRate, WeightDecay));
    }

    /// <summary>Writes η, λ, the momentum buffer, h_lr and the trajectory (the checkpoint container versions the format).</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(LearningRate);
        writer.Write(WeightDecay);
        writer.Write(_hyperLearningRate);
        writer.Write(_buffer is not null);
        writer.Write(_buffer?[0] ?? 0);
        writer.Write(_buffer?[1] ?? 0);
        writer.Write(_trajectory.Count);
        foreach (var (learningRate, weightDecay) in _trajectory)
        {
            writer.Write(learningRate);
            writer.Write(weightDecay);
        }
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote. The ranges, momentum and weight decay stay those given to the
    /// constructor (they are configuration); η and λ are clamped into the current ranges.
    /// </summary>
    /// <exception cref="InvalidInputException">The data is not a HyperLearner state.</exception>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var learningRate = reader.ReadDouble();
        var weightDecay = reader.ReadDouble();
        var hyperLearningRate = reader.ReadDouble();
        var hasBuffer = reader.ReadBoolean();
        var learningRateBuffer = reader.ReadDouble();
        var weightDecayBuffer = reader.ReadDouble();
        var count = reader.ReadInt32();
        const int pairBytes = 2 * sizeof(double);
        if (count < 0 || !double.IsFinite(learningRate) || !double.IsFinite(weightDecay) || !double.IsFinite(hyperLearningRate)
            || hyperLearningRate < 0 || !double.IsFinite(learningRateBuffer) || !double.IsFinite(weightDecayBuffer))
        {
            throw new InvalidInputException("checkpoint: the hyper-parameter learner state holds invalid values");
        }
        if (reader.BaseStream.CanSeek && count > (reader.BaseStream.Length - reader.BaseStream.Position) / pairBytes)
        {
            throw new InvalidInputException($"checkpoint: the hyper-parameter learner state claims {count} trajectory entries, more than its bytes hold");
        }
        var trajectory = new List<(double, double)>(Math.Min(count, 1 << 20));
        for (var i = 0; i < count; i++)
        {
            var entry = (reader.ReadDouble(), reader.ReadDouble());
            if (!double.IsFinite(entry.Item1) || !double.IsFinite(entry.Item2))
            {
                throw new InvalidInputException($"checkpoint: the hyper-parameter learner's trajectory holds a non-finite value at entry {i}");
            }
            trajectory.Add(entry);
        }

        LearningRate = _learningRateRange.Clamp(learningRate);
        WeightDecay = _weightDecayRange.Clamp(weightDecay);
        _hyperLearningRate = hyperLearningRate;
        _buffer = hasBuffer ? [learningRateBuffer, weightDecayBuffer] : null;
        _trajectory.Clear();
        _trajectory.AddRange(trajectory);
    }
}
