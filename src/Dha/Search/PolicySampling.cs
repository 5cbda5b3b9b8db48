namespace Dha.Search;

/// <summary>How often the trainer draws a fresh Gumbel sampling matrix from the augmentation policy (dha-method §5.3).</summary>
public enum PolicySampling
{
    /// <summary>A fresh matrix every training step (this project's default).</summary>
    Step,

    /// <summary>One matrix per epoch, drawn as the epoch starts.</summary>
    Epoch,

    /// <summary>
    /// What the authors' code does in effect (dha-method §5.5): its loader workers copy the matrix when an epoch's
    /// loader starts, so the first epoch draws uniformly and every later one from the matrix drawn at the start of
    /// the previous epoch's last step.
    /// </summary>
    Reference,
}
