namespace Dha.Search;

/// <summary>
/// The rule that relates the learning rates of the policy θ (<c>da.*</c>) and of η, λ (<c>hpo.*</c>) to the run's
/// length. A learner stepping T times at rate r drifts by about r·T·ḡ (ḡ its mean gradient), so rates stated for a
/// run of N steps are used × N / T in a run of T steps: a short run moves as far in total as the N-step run would, a
/// long one no farther. N = 0 keeps the rates per step as given, the reference's behaviour.
/// </summary>
internal static class RunLengthRates
{
    /// <param name="rate">The rate as the options state it.</param>
    /// <param name="rateRunSteps">N, the run length the rate is stated for; 0 = per step.</param>
    /// <param name="runSteps">T, this run's training steps (both phases).</param>
    public static double Scale(double rate, int rateRunSteps, long runSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rateRunSteps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(runSteps);
        return rateRunSteps == 0 ? rate : rate * rateRunSteps / runSteps;
    }
}
