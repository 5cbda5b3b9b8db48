using Dha.Optimisers;
using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// DHA's learned augmentation policy (dha-method §5.3–5.4): logits θ over the 196 ordered op pairs, p = softmax(vec θ)
/// jointly over all pairs, a Gumbel-softmax sampling matrix for the data pipeline, and one SGD-Nesterov step per
/// training step on the policy objective, which raises the probability of pairs that gave a high training loss: the
/// reference's J_DA(θ) = (1/B) Σ_b −sg(ℓ_b)·p(a_b) or the score-function form with a baseline
/// (<see cref="PolicyEstimator"/>). θ and its momentum live here (float64, as in the reference) so the policy checkpoints itself.
/// Index i·14 + j is the pair (first op i, second op j), i.e. θ read row-major as a 14×14 matrix.
/// </summary>
internal sealed class OpPairPolicy : IDisposable
{
    private readonly double[] _theta;
    private double[]? _momentumBuffer;
    private double _learningRate;

    /// <param name="learningRate">d_lr (the search phase's policy learning rate).</param>
    /// <param name="momentum">Nesterov momentum μ (0.9 in the reference).</param>
    /// <param name="weightDecay">L2 decay added to the gradient (5e-4 in the reference).</param>
    /// <param name="temperature">Gumbel-softmax temperature τ of <see cref="SampleMatrix"/> (2 in the reference).</param>
    /// <param name="estimator">The gradient <see cref="Update"/> follows (the reference's ∇p form by default).</param>
    public OpPairPolicy(
        double learningRate,
        double momentum = 0.9,
        double weightDecay = 5e-4,
        double temperature = 2.0,
        PolicyEstimator estimator = PolicyEstimator.Reference)
    {
        CheckLearningRate(learningRate);
        if (!double.IsFinite(momentum) || momentum < 0 || momentum >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "The policy momentum must be in [0, 1).");
        }
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The policy weight decay must be ≥ 0.");
        }
        if (!double.IsFinite(temperature) || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The Gumbel temperature must be > 0.");
        }
        if (!Enum.IsDefined(estimator))
        {
            throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown policy estimator.");
        }
        _learningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Temperature = temperature;
        Estimator = estimator;
        // The reference initialises every logit to 1/196: a uniform policy.
        _theta = Enumerable.Repeat(1.0 / PairSampler.PairCount, PairSampler.PairCount).ToArray();
    }

    /// <summary>The step size of <see cref="Update"/>; the trainer switches it to d_lr_tune at the phase change.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckLearningRate(value);
            _learningRate = value;
        }
    }

    public double Momentum { get; }

    public double WeightDecay { get; }

    public double Temperature { get; }

    public PolicyEstimator Estimator { get; }

    /// <summary>p = softmax(vec θ), 196 entries, row-major (index i·14 + j = first op i, second op j).</summary>
    public double[] Probabilities() => Softmax(_theta);

    /// <summary>
    /// The relaxed sampling matrix Π̃ = softmax((g + log p)/τ) with g_k = −log(−log u_k), u_k ~ U(0, 1) from
    /// <paramref name="rng"/>. It only perturbs and flattens p for the data pipeline; no gradient flows through it.
    /// </summary>
    public double[] SampleMatrix(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var logP = LogSoftmax(_theta);
        var h = new double[PairSampler.PairCount];
        for (var k = 0; k < PairSampler.PairCount; k++)
        {
            double u;
            do
            {
                u = rng.NextDouble();
            }
            while (u <= 0.0);
            var gumbel = -Math.Log(-Math.Log(u));
            h[k] = (gumbel + logP[k]) / Temperature;
        }
        return Softmax(h);
    }

    /// <summary>
    /// One SGD-Nesterov step (PyTorch semantics: d = ∇J + wd·θ; buf = d on the first step, else μ·buf + d;
    /// θ −= lr·(d + μ·buf)) with the closed-form gradient of <see cref="Estimator"/> (<see cref="PolicyGradient"/>).
    /// </summary>
    /// <param name="perSampleLoss">float [B], the detached per-sample training losses ℓ_b (CE + 0.4·aux CE).</param>
    /// <param name="opPairs">int64 [B, 2], the (first, second) op applied to each sample.</param>
    public void Update(Tensor perSampleLoss, Tensor opPairs)
    {
        ArgumentNullException.ThrowIfNull(perSampleLoss);
        ArgumentNullException.ThrowIfNull(opPairs);
        if (perSampleLoss.dim() != 1 || opPairs.dim() != 2 || opPairs.shape[1] != 2
            || opPairs.shape[0] != perSampleLoss.shape[0] || perSampleLoss.shape[0] == 0)
        {
            throw new ArgumentException(
                $"OpPairPolicy.Update: expected losses [B] and op pairs [B, 2] with B > 0, got [{string.Join(", ", perSampleLoss.shape)}] and [{string.Join(", ", opPairs.shape)}].");
        }
        double[] losses;
        long[] pairs;
        using (NewDisposeScope())
        {
            losses = perSampleLoss.detach().cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            pairs = opPairs.detach().cpu().to_type(ScalarType.Int64).data<long>().ToArray();
        }
        var flat = new long[losses.Length];
        for (var b = 0; b < losses.Length; b++)
        {
            long first = pairs[2 * b], second = pairs[2 * b + 1];
            if (first < 0 || first >= AugmentOpNames.Count || second < 0 || second >= AugmentOpNames.Count)
            {
                throw new ArgumentException($"OpPairPolicy.Update: op pair ({first}, {second}) is out of range.", nameof(opPairs));
            }
            if (!double.IsFinite(losses[b]))
            {
                throw new ArgumentException($"OpPairPolicy.Update: the loss of sample {b} is {losses[b]}.", nameof(perSampleLoss));
            }
            flat[b] = first * AugmentOpNames.Count + second;
        }
        Step(PolicyGradient.Of(Estimator, Probabilities(), losses, flat));
    }

    /// <summary>H(p) = −Σ p log p, the logged diagnostic; ln 196 ≈ 5.278 for the uniform policy.</summary>
    public double Entropy()
    {
        var p = Probabilities();
        var h = 0.0;
        foreach (var v in p)
        {
            if (v > 0)
            {
                h -= v * Math.Log(v);
            }
        }
        return h;
    }

    /// <summary>The <paramref name="count"/> most likely pairs of the probabilities <paramref name="p"/> (index i·14 + j), most likely first.</summary>
    public static IEnumerable<(AugmentOp First, AugmentOp Second, double P)> MostLikely(double[] p, int count) =>
        Enumerable.Range(0, p.Length)
            .OrderByDescending(k => p[k])
            .Take(count)
            .Select(k => ((AugmentOp)(k / AugmentOpNames.Count), (AugmentOp)(k % AugmentOpNames.Count), p[k]));

    /// <summary>A copy of the 196 logits θ, row-major, for <c>policy.json</c>.</summary>
    public double[] Theta() => (double[])_theta.Clone();

    /// <summary>
    /// Writes θ and the momentum buffer (the learning rate belongs to the trainer's phase, not here). The checkpoint
    /// container versions the format.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(PairSampler.PairCount);
        foreach (var v in _theta)
        {
            writer.Write(v);
        }
        writer.Write(_momentumBuffer is not null);
        if (_momentumBuffer is not null)
        {
            foreach (var v in _momentumBuffer)
            {
                writer.Write(v);
            }
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidInputException">The stream does not hold a policy state of this format.</exception>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var count = reader.ReadInt32();
        if (count != PairSampler.PairCount)
        {
            throw new InvalidInputException($"checkpoint: augmentation policy state has {count} pairs, expected {PairSampler.PairCount}");
        }
        var newTheta = ReadDoubles(reader);
        var newBuffer = reader.ReadBoolean() ? ReadDoubles(reader) : null;
        Array.Copy(newTheta, _theta, PairSampler.PairCount);
        _momentumBuffer = newBuffer;
    }

    /// <summary>Holds no native memory today; disposable so the trainer can own every learner alike.</summary>
    public void Dispose()
    {
    }

    /// <summary>One SGD step with L2 decay, momentum (dampening 0) and Nesterov, as <c>torch.optim.SGD</c>.</summary>
    internal void Step(double[] gradient) =>
        NesterovSgd.Step(_theta, gradient, ref _momentumBuffer, _learningRate, Momentum, WeightDecay);

    private static double[] ReadDoubles(BinaryReader reader)
    {
        var values = new double[PairSampler.PairCount];
        for (var k = 0; k < PairSampler.PairCount; k++)
        {
            values[k] = reader.ReadDouble();
            if (!double.IsFinite(values[k]))
            {
                throw new InvalidInputException("checkpoint: augmentation policy state holds a non-finite value");
            }
        }
        return values;
    }

    private static double[] LogSoftmax(double[] logits)
    {
        var max = logits.Max();
        var sum = 0.0;
        foreach (var v in logits)
        {
            sum += Math.Exp(v - max);
        }
        var logSum = max + Math.Log(sum);
        return logits.Select(v => v - logSum).ToArray();
    }

    /// <summary>softmax of <paramref name="logits"/>: p of a policy whose logits they are.</summary>
    internal static double[] Softmax(double[] logits) => LogSoftmax(logits).Select(Math.Exp).ToArray();

    private static void CheckLearningRate(double value)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The policy learning rate must be finite and ≥ 0.");
        }
    }
}
