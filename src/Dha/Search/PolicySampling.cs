namespace Dha.Search;

/// <summary>How often the trainer draws a fresh Gumbel sampling matrix from the augmentation policy (dha-method §5.3).</summary>
public enum PolicySampling
{
    /// <summary>A fresh matrix every training step (this project's default).</summary>
    Step,

    /// <summary>One matrix per epoch (the authors' code in effect).</summary>
    Epoch,
}
