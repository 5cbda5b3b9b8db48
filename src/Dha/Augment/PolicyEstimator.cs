namespace Dha.Augment;

/// <summary>Which gradient of the policy objective <see cref="OpPairPolicy.Update"/> follows (option <c>da.estimator</c>).</summary>
public enum PolicyEstimator
{
    /// <summary>
    /// The authors' ∇p form (dha-method §5.4): J = (1/B) Σ_b −ℓ_b·p(a_b). Its gradient carries a factor p ≈ 1/196, so θ
    /// moves by ~1e-6 nat of entropy even over the paper's 1,200 epochs.
    /// </summary>
    Reference,

    /// <summary>
    /// The score-function form with a baseline: J = −(1/B) Σ_b (ℓ_b − ℓ̄)·log p(a_b), ℓ̄ the batch mean. Same sign
    /// (pairs with a larger training loss become more likely), with no factor p, so a short run learns a policy.
    /// </summary>
    Score,
}
