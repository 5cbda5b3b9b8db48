namespace Dha.Optimisers;

/// <summary>
/// Cosine annealing from a start value to a floor over a fixed number of steps, in the closed form of
/// <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>: <c>floor + (start − floor)·(1 + cos(π·t/T))/2</c>. A closed
/// form, not PyTorch's recursive update, so a resumed run computes the same value at step t as an uninterrupted one.
/// </summary>
internal static class CosineSchedule
{
    /// <param name="start">The value at step 0.</param>
    /// <param name="floor">The value at step <paramref name="total"/> and after.</param>
    /// <param name="step">t, steps done so far.</param>
    /// <param name="total">T, the length of the schedule; 0 keeps the start value.</param>
    public static double At(double start, double floor, long step, long total)
    {
        if (total <= 0)
        {
            return start;
        }
        var t = Math.Clamp(step, 0, total);
        return floor + (start - floor) * (1 + Math.Cos(Math.PI * t / total)) / 2;
    }
}
