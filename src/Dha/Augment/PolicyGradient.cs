namespace Dha.Augment;

/// <summary>
/// The closed-form gradients ∂J/∂θ of the two policy objectives (<see cref="PolicyEstimator"/>) over the sampled
/// pairs a_b and their detached per-sample losses ℓ_b, with p = softmax(θ) and ∂p(a)/∂θ_k = p(a)·(1[k = a] − p_k).
/// </summary>
internal static class PolicyGradient
{
    /// <summary>The gradient <paramref name="estimator"/> names.</summary>
    public static double[] Of(PolicyEstimator estimator, double[] probabilities, IReadOnlyList<double> losses, IReadOnlyList<long> pairs) =>
        estimator switch
        {
            PolicyEstimator.Reference => Reference(probabilities, losses, pairs),
            PolicyEstimator.Score => Score(probabilities, losses, pairs),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "unknown policy estimator"),
        };

    /// <summary>
    /// J = (1/B) Σ_b −ℓ_b·p(a_b):
    /// ∂J/∂θ_k = −(1/B) Σ_b ℓ_b·p(a_b)·(1[k = a_b] − p_k) = −(p_k/B)·(Σ_{b: a_b = k} ℓ_b − Σ_b ℓ_b·p(a_b)).
    /// </summary>
    /// <param name="probabilities">p, 196 entries.</param>
    /// <param name="losses">ℓ_b.</param>
    /// <param name="pairs">a_b as flat indices i·14 + j.</param>
    public static double[] Reference(double[] probabilities, IReadOnlyList<double> losses, IReadOnlyList<long> pairs)
    {
        var batch = losses.Count;
        var lossPerPair = new double[PairSampler.PairCount];
        var weighted = 0.0;
        for (var b = 0; b < batch; b++)
        {
            lossPerPair[pairs[b]] += losses[b];
            weighted += losses[b] * probabilities[pairs[b]];
        }
        var gradient = new double[PairSampler.PairCount];
        for (var k = 0; k < PairSampler.PairCount; k++)
        {
            gradient[k] = -probabilities[k] / batch * (lossPerPair[k] - weighted);
        }
        return gradient;
    }

    /// <summary>
    /// J = −(1/B) Σ_b c_b·log p(a_b) with c_b = ℓ_b − ℓ̄:
    /// ∂J/∂θ_k = −(1/B) Σ_b c_b·(1[k = a_b] − p_k) = −(1/B)·(Σ_{b: a_b = k} c_b − p_k·Σ_b c_b).
    /// The last sum is zero up to rounding; it is kept so the formula is the gradient of J as written.
    /// </summary>
    /// <param name="probabilities">p, 196 entries.</param>
    /// <param name="losses">ℓ_b.</param>
    /// <param name="pairs">a_b as flat indices i·14 + j.</param>
    public static double[] Score(double[] probabilities, IReadOnlyList<double> losses, IReadOnlyList<long> pairs)
    {
        var batch = losses.Count;
        var baseline = losses.Average();
        var centredPerPair = new double[PairSampler.PairCount];
        var centredSum = 0.0;
        for (var b = 0; b < batch; b++)
        {
            var centred = losses[b] - baseline;
            centredPerPair[pairs[b]] += centred;
            centredSum += centred;
        }
        var gradient = new double[PairSampler.PairCount];
        for (var k = 0; k < PairSampler.PairCount; k++)
        {
            gradient[k] = -(centredPerPair[k] - probabilities[k] * centredSum) / batch;
        }
        return gradient;
    }
}
