namespace Dha.Optimisers;

/// <summary>
/// Step decay, the closed form of <c>torch.optim.lr_scheduler.StepLR</c>: <c>start·γ^⌊epoch/period⌋</c>. A closed
/// form, so a resumed run computes the same value at an epoch as an uninterrupted one.
/// </summary>
internal static class StepDecaySchedule
{
    /// <param name="start">The value in the first <paramref name="period"/> epochs.</param>
    /// <param name="gamma">γ, the factor applied at the end of every period.</param>
    /// <param name="period">Epochs per decay (step_size), ≥ 1.</param>
    /// <param name="epoch">Epochs done so far.</param>
    public static double At(double start, double gamma, int period, long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(period);
        return start * Math.Pow(gamma, Math.Max(0, epoch) / period);
    }
}
