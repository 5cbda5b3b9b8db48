namespace Dha.Search;

/// <summary>What multiplies the learned learning rate η in the weight step (<see cref="LearningRateSchedule.Envelope"/>).</summary>
public enum HpoEnvelope
{
    /// <summary>Nothing: the step uses η as learned (the method, dha-method §6.1).</summary>
    None,

    /// <summary>A cosine factor from 1 to <c>hpo.envelope_floor</c> over phase B; phase A uses η as learned.</summary>
    Cosine,
}
