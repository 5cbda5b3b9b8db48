using Dha.Search;

namespace Dha;

/// <summary>Where a search is, reported after every training step to the <see cref="IProgress{T}"/> of <see cref="ImageClassifierSearch"/>.</summary>
/// <param name="Phase">Searching the architecture, or training the fixed network.</param>
/// <param name="Epoch">The epoch, counted over both phases from 0.</param>
/// <param name="MaxEpochs">Epochs the run will take at most (the search phase may end early when every node freezes).</param>
/// <param name="Step">Steps done in this epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Loss">The mean training loss of this epoch so far.</param>
/// <param name="Accuracy">The training accuracy of this epoch so far, in [0, 1].</param>
/// <param name="LearningRate">The learning rate the step used.</param>
public sealed record SearchProgress(SearchPhase Phase, int Epoch, int MaxEpochs, int Step, int StepsPerEpoch, double Loss, double Accuracy, double LearningRate)
{
    /// <summary>The share of the run done, in [0, 1], counting the planned epochs.</summary>
    public double Fraction => MaxEpochs * StepsPerEpoch == 0 ? 0 : Math.Min(1, ((double)Epoch * StepsPerEpoch + Step) / ((double)MaxEpochs * StepsPerEpoch));
}
