using Dha.Data;
using Dha.Nas;
using Dha.Search;

namespace Dha.Retrain;

/// <summary>
/// The first stage of a search-then-retrain run (<see cref="SearchThenRetrain"/>): a search that trains for
/// <see cref="RunBudget.SearchEpochs"/> epochs of <see cref="RunBudget.StepsPerEpoch"/> steps, checkpoints itself
/// and ends with a genotype. Its position is always in <see cref="SearchPhase.Search"/>, which is how a checkpoint
/// of this stage is told from one of the retraining.
/// </summary>
internal interface IGenotypeSearch : IDisposable
{
    SearchOptions Options { get; }

    DatasetSplits Splits { get; }

    /// <summary>Both stages' epochs and the steps of every epoch.</summary>
    RunBudget Budget { get; }

    TrainerPosition Position { get; }

    bool Finished { get; }

    /// <summary>The genotype the search reads off its state now.</summary>
    Genotype Genotype { get; }

    /// <summary>Trains until finished or cancelled, calling <paramref name="checkpointDue"/> as the trainers of a search do.</summary>
    void Train(ISearchObserver observer, CancellationToken cancel, Action checkpointDue);

    void SaveCheckpoint(string path);

    /// <exception cref="InvalidInputException">The file is not a checkpoint of this search.</exception>
    void LoadCheckpoint(string path);
}
