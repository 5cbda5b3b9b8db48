namespace Dha.Optimisers;

/// <summary>
/// The update of <c>torch.optim.Adam(betas: (β₁, β₂), eps: ε, weight_decay: wd)</c> (L2 decay added to the gradient,
/// not AdamW) on plain doubles, with PyTorch's bias correction:
/// <code>
/// g = g + wd·p ;  m = β₁·m + (1−β₁)·g ;  v = β₂·v + (1−β₂)·g² ;  p = p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)
/// </code>
/// </summary>
internal static class Adam
{
    /// <summary>PyTorch's default ε.</summary>
    public const double Epsilon = 1e-8;

    /// <param name="parameters">p, updated in place.</param>
    /// <param name="gradients">g, one per parameter.</param>
    /// <param name="firstMoment">m, updated in place (zeros before the first step).</param>
    /// <param name="secondMoment">v, updated in place (zeros before the first step).</param>
    /// <param name="step">t, the number of this step counted from 1 (the caller increments its count first).</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="weightDecay">wd, the L2 decay added to the gradient.</param>
    public static void Step(
        Span<double> parameters,
        ReadOnlySpan<double> gradients,
        Span<double> firstMoment,
        Span<double> secondMoment,
        long step,
        double learningRate,
        double beta1,
        double beta2,
        double weightDecay)
    {
        if (gradients.Length != parameters.Length || firstMoment.Length != parameters.Length || secondMoment.Length != parameters.Length)
        {
            throw new ArgumentException("Adam.Step: parameters, gradients and moments must have the same length.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var correction1 = 1 - Math.Pow(beta1, step);
        var correction2 = 1 - Math.Pow(beta2, step);
        for (var r = 0; r < parameters.Length; r++)
        {
            var g = gradients[r] + (weightDecay * parameters[r]);
            firstMoment[r] = (beta1 * firstMoment[r]) + ((1 - beta1) * g);
            secondMoment[r] = (beta2 * secondMoment[r]) + ((1 - beta2) * g * g);
            var denominator = (Math.Sqrt(secondMoment[r]) / Math.Sqrt(correction2)) + Epsilon;
            parameters[r] -= learningRate / correction1 * firstMoment[r] / denominator;
        }
    }
}
