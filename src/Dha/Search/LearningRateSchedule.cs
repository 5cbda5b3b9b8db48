using Dha.Optimisers;

namespace Dha.Search;

/// <summary>
/// The weight learning rate over a run, as a closed form of the phase and the step within it, so that a resumed run
/// computes the rate of step t exactly as an uninterrupted one. Phase A keeps its rate; phase B anneals it by cosine
/// over its steps (<see cref="CosineSchedule"/>, stepped every step rather than every epoch: a run of a few epochs
/// would otherwise end far above its floor), or decays it by steps every few epochs (<see cref="StepDecaySchedule"/>).
/// </summary>
internal static class LearningRateSchedule
{
    /// <summary>
    /// The fixed rate of the modes without HPO: <c>train.learning_rate</c> in phase A, then over phase B cosine from it
    /// to <c>train.learning_rate_min</c> (the reference's one-stage ISTA: constant while searching, cosine after the
    /// architecture is fixed, dha-method §2), or, with <c>train.schedule=step</c>, × <c>train.decay_gamma</c> every
    /// <c>train.decay_period</c> phase B epochs (its ImageNet runs, §8.6).
    /// </summary>
    /// <param name="train">The run's train options.</param>
    /// <param name="phase">The phase of the step.</param>
    /// <param name="step">Steps done in that phase before this one.</param>
    /// <param name="phaseSteps">Steps of that phase.</param>
    /// <param name="stepsPerEpoch">Steps per epoch, which turn <paramref name="step"/> into the epoch of the step decay.</param>
    public static double FixedRate(TrainOptions train, SearchPhase phase, long step, long phaseSteps, int stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepsPerEpoch);
        return phase != SearchPhase.Train ? train.LearningRate
            : train.Schedule == LearningRateDecay.Step ? StepDecaySchedule.At(train.LearningRate, train.DecayGamma, train.DecayPeriod, step / stepsPerEpoch)
            : CosineSchedule.At(train.LearningRate, train.LearningRateMin, step, phaseSteps);
    }

    /// <summary>
    /// The factor on the learned η (<c>hpo.envelope</c>): 1 in phase A and without an envelope; the cosine one goes
    /// from 1 to <c>hpo.envelope_floor</c> over phase B. The weight step uses η·factor, and the hypergradient of η is
    /// the effective rate's times the factor (the chain rule), so η keeps learning what the step sees.
    /// </summary>
    /// <param name="hpo">The run's HPO options.</param>
    /// <param name="phase">The phase of the step.</param>
    /// <param name="step">Steps done in that phase before this one.</param>
    /// <param name="phaseSteps">Steps of that phase.</param>
    public static double Envelope(HpoOptions hpo, SearchPhase phase, long step, long phaseSteps)
    {
        ArgumentNullException.ThrowIfNull(hpo);
        return phase == SearchPhase.Train && hpo.Envelope == HpoEnvelope.Cosine ? CosineSchedule.At(1, hpo.EnvelopeFloor, step, phaseSteps) : 1;
    }
}
