namespace Dha.Optimisers;

/// <summary>
/// The update of <c>torch.optim.SGD(momentum: μ, dampening: 0, weight_decay: wd, nesterov: true)</c> on plain
/// doubles, for the learners whose parameters are a handful of scalars (the policy θ, the pair η, λ):
/// <code>
/// d = g + wd·p ;  buf = d on the first step, else μ·buf + d ;  d = d + μ·buf ;  p = p − lr·d
/// </code>
/// With μ = 0 there is no buffer, as in PyTorch.
/// </summary>
internal static class NesterovSgd
{
    /// <param name="parameters">p, updated in place.</param>
    /// <param name="gradients">g, one per parameter.</param>
    /// <param name="buffer">The momentum buffer; null before the first step, then owned by the caller's state.</param>
    /// <param name="learningRate">lr.</param>
    /// <param name="momentum">μ.</param>
    /// <param name="weightDecay">wd, the L2 decay added to the gradient.</param>
    public static void Step(Span<double> parameters, ReadOnlySpan<double> gradients, ref double[]? buffer, double learningRate, double momentum, double weightDecay)
    {
        if (gradients.Length != parameters.Length || (buffer is not null && buffer.Length != parameters.Length))
        {
            throw new ArgumentException("NesterovSgd.Step: parameters, gradients and buffer must have the same length.");
        }
        var d = new double[parameters.Length];
        for (var k = 0; k < d.Length; k++)
        {
            d[k] = gradients[k] + weightDecay * parameters[k];
        }
        if (momentum != 0)
        {
            if (buffer is null)
            {
                buffer = (double[])d.Clone();
            }
            else
            {
                for (var k = 0; k < d.Length; k++)
                {
                    buffer[k] = momentum * buffer[k] + d[k];
                }
            }
            for (var k = 0; k < d.Length; k++)
            {
                d[k] += momentum * buffer[k];
            }
        }
        for (var k = 0; k < d.Length; k++)
        {
            parameters[k] -= learningRate * d[k];
        }
    }
}
