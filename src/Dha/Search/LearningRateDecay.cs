namespace Dha.Search;

/// <summary>How the fixed learning rate decays (<c>train.schedule</c>, <see cref="LearningRateSchedule.FixedRate"/>).</summary>
public enum LearningRateDecay
{
    /// <summary>Cosine from <c>train.learning_rate</c> to <c>train.learning_rate_min</c> (the CIFAR runs of the reference).</summary>
    Cosine,

    /// <summary>
    /// × <c>train.decay_gamma</c> every <c>train.decay_period</c> epochs, as <c>torch.optim.lr_scheduler.StepLR</c>
    /// (the reference's ImageNet runs: 0.97 every epoch, dha-method §8.6).
    /// </summary>
    Step,
}
