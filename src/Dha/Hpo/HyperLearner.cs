namespace Dha.Hpo;

/// <summary>
/// Learns the learning rate η and the weight decay λ of the weight step by hypergradient descent (dha-method §6.1):
/// one SGD step with Nesterov momentum on the pair (η, λ) per training step, with its own learning rate h_lr and its
/// own weight decay, then a clamp into each range. η and λ are scalars, so they are plain doubles here.
/// The update is that of <c>torch.optim.SGD(nesterov: true, dampening: 0)</c>, per scalar p with gradient g:
/// <code>
/// d = g + wd·p ;  buf = μ·buf + d  (first step: buf = d) ;  d = d + μ·buf ;  p = clamp(p − h_lr·d)
/// </code>
/// The two search phases use different h_lr (the trainer sets <see cref="HyperLearningRate"/> at the switch) and
/// phase B may restart η and λ at their midpoints (design §3 #1).
/// </summary>
internal sealed class HyperLearner
{
    private const string FormatTag = "Dha.Hpo.HyperLearner";
    private const int FormatVersion = 1;

    private readonly HyperRange _learningRateRange;
    private readonly HyperRange _weightDecayRange;
    private readonly double _momentum;
    private readonly double _weightDecay;
    private readonly List<(double LearningRate, double WeightDecay)> _trajectory = [];
    private double _hyperLearningRate;
    private bool _hasBuffers;
    private double _learningRateBuffer;
    private double _weightDecayBuffer;

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

        var learningRateDirection = learningRateGradient + _weightDecay * LearningRate;
        var weightDecayDirection = weightDecayGradient + _weightDecay * WeightDecay;
        if (_hasBuffers)
        {
            _learningRateBuffer = _momentum * _learningRateBuffer + learningRateDirection;
            _weightDecayBuffer = _momentum * _weightDecayBuffer + weightDecayDirection;
        }
        else
        {
            _learningRateBuffer = learningRateDirection;
            _weightDecayBuffer = weightDecayDirection;
            _hasBuffers = true;
        }
        learningRateDirection += _momentum * _learningRateBuffer;
        weightDecayDirection += _momentum * _weightDecayBuffer;

        LearningRate = _learningRateRange.Clamp(LearningRate - _hyperLearningRate * learningRateDirection);
        WeightDecay = _weightDecayRange.Clamp(WeightDecay - _hyperLearningRate * weightDecayDirection);
        _trajectory.Add((LearningRate, WeightDecay));
    }

    /// <summary>η and λ back to their midpoints, momentum cleared (the phase switch with <c>hpo.restart</c>).</summary>
    public void Restart()
    {
        LearningRate = _learningRateRange.Midpoint;
        WeightDecay = _weightDecayRange.Midpoint;
        _hasBuffers = false;
        _learningRateBuffer = 0;
        _weightDecayBuffer = 0;
        _trajectory.Add((LearningRate, WeightDecay));
    }

    /// <summary>Writes η, λ, the momentum buffers, h_lr and the trajectory.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FormatTag);
        writer.Write(FormatVersion);
        writer.Write(LearningRate);
        writer.Write(WeightDecay);
        writer.Write(_hyperLearningRate);
        writer.Write(_hasBuffers);
        writer.Write(_learningRateBuffer);
        writer.Write(_weightDecayBuffer);
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
        if (reader.ReadString() != FormatTag)
        {
            throw new InvalidInputException("checkpoint: the hyper-parameter learner state is missing or corrupt");
        }
        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidInputException($"checkpoint: hyper-parameter learner state version {version} is not supported (expected {FormatVersion})");
        }
        var learningRate = reader.ReadDouble();
        var weightDecay = reader.ReadDouble();
        var hyperLearningRate = reader.ReadDouble();
        var hasBuffers = reader.ReadBoolean();
        var learningRateBuffer = reader.ReadDouble();
        var weightDecayBuffer = reader.ReadDouble();
        var count = reader.ReadInt32();
        if (count < 0 || !double.IsFinite(learningRate) || !double.IsFinite(weightDecay) || !double.IsFinite(hyperLearningRate)
            || hyperLearningRate < 0 || !double.IsFinite(learningRateBuffer) || !double.IsFinite(weightDecayBuffer))
        {
            throw new InvalidInputException("checkpoint: the hyper-parameter learner state holds invalid values");
        }
        var trajectory = new List<(double, double)>(Math.Min(count, 1 << 20));
        for (var i = 0; i < count; i++)
        {
            trajectory.Add((reader.ReadDouble(), reader.ReadDouble()));
        }

        LearningRate = _learningRateRange.Clamp(learningRate);
        WeightDecay = _weightDecayRange.Clamp(weightDecay);
        _hyperLearningRate = hyperLearningRate;
        _hasBuffers = hasBuffers;
        _learningRateBuffer = learningRateBuffer;
        _weightDecayBuffer = weightDecayBuffer;
        _trajectory.Clear();
        _trajectory.AddRange(trajectory);
    }
}
