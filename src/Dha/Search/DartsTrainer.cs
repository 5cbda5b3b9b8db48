using Dha.Augment;
using Dha.Data;
using Dha.Evaluation;
using Dha.Hpo;
using Dha.Nas;
using Dha.Retrain;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>
/// The search stage of mode <c>darts</c> (dha-method §2, §8.5): the DARTS supernet (every edge mixes its 7 ops and
/// <c>none</c> by the softmax of α; no auxiliary head; the batch norms of the mixed ops and of the cell-input
/// preprocessing without a trainable affine, as DARTS builds them with <c>affine=False</c>) trained for
/// <see cref="RunBudget.SearchEpochs"/> epochs. Every step first moves α by Adam on the architecture gradient of the
/// step's validation batch (<see cref="DartsArchitect"/>, first or second order), then the weights by momentum SGD on
/// the training batch, the learning rate falling by cosine from <c>train.learning_rate</c> to
/// <c>train.learning_rate_min</c> over the search. The genotype is read off α by <see cref="DartsGenotypeRule"/>.
/// Prints nothing: progress goes to an <see cref="ISearchObserver"/>.
/// </summary>
internal sealed class DartsTrainer : IGenotypeSearch, IEpochStepper
{
    private const string AlphasSection = "darts-alphas";

    private readonly SearchOptions _options;
    private readonly DatasetSplits _splits;
    private readonly string _dataset;
    private readonly InputNormalisation _normalisation;
    private readonly SearchNetwork _network;
    private readonly DartsAlphas _alphas;
    private readonly DartsArchitect _architect;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validationLoader;
    private readonly HyperSgd _weights;

    private TrainerPosition _position = new();
    private bool _resumed;

    // the validation stream of the epoch in progress
    private IEnumerator<Batch>? _validation;

    private DartsTrainer(SearchOptions options, DatasetSplits splits, string dataset, InputNormalisation normalisation, SearchNetwork network,
        DartsAlphas alphas, BatchLoader trainLoader, BatchLoader validationLoader, HyperSgd weights)
    {
        _options = options;
        _splits = splits;
        _dataset = dataset;
        _normalisation = normalisation;
        _network = network;
        _alphas = alphas;
        _trainLoader = trainLoader;
        _validationLoader = validationLoader;
        _weights = weights;
        var architecture = options.Architecture;
        _architect = new DartsArchitect(network, alphas, weights, options.Train.Momentum, options.Train.WeightDecay, architecture.Order, architecture.Hessian);
        Budget = RunBudget.Of(options.Train, trainLoader.BatchesPerEpoch);
    }

    /// <summary>The search stage on the splits of <paramref name="train"/> and <paramref name="test"/> the options ask for; it owns those splits.</summary>
    /// <param name="options">The run's options (validated here).</param>
    /// <param name="train">The official training set.</param>
    /// <param name="test">The official test set.</param>
    /// <param name="dataset">What the data is called in reports (a path or a name).</param>
    public static DartsTrainer Build(SearchOptions options, ImageDataset train, ImageDataset test, string dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return TrainerBuilder.OnOwnSplits(options, train, test, splits =>
        {
            var normalisation = TrainerBuilder.Prepare(options, splits);
            var data = splits.Train;
            var shape = new NetworkShape(data.Channels, data.Height, options.Network.Channels, options.Network.Layers, data.ClassCount, Auxiliary: false);
            NetworkMemory.Check(NetworkMemory.SearchTrainingBytes(shape, options.Data.BatchSize),
                TrainerBuilder.MemoryWhat(options, shape, "DARTS supernet"), TrainerBuilder.MemoryFix);
            var network = new SearchNetwork(shape);
            foreach (var bn in network.Cells.SelectMany(c => c.Preprocess0.Norms.Concat(c.Preprocess1.Norms)))
            {
                bn.weight!.requires_grad = false;
                bn.bias!.requires_grad = false;
            }
            var alphas = new DartsAlphas(options.Architecture.LearningRate, options.Architecture.WeightDecay, options.Seed);
            var augmentation = new AugmentedImages(TrainerBuilder.Augmenter(options, normalisation, data.Height, usePolicy: false));
            var trainLoader = TrainerBuilder.TrainLoader(options, data, normalisation, augmentation);
            var validationLoader = new BatchLoader(splits.Validation, options.Data.BatchSize, options.Seed, "validation", shuffle: true, normalisation.Mean, normalisation.Std);
            return new DartsTrainer(options, splits, dataset, normalisation, network, alphas, trainLoader, validationLoader,
                TrainerBuilder.WeightOptimiser(options, network));
        });
    }

    public SearchOptions Options => _options;

    public DatasetSplits Splits => _splits;

    public RunBudget Budget { get; }

    public TrainerPosition Position => _position;

    public bool Finished => _position.Epoch >= Budget.SearchEpochs;

    public Genotype Genotype => _alphas.Genotype;

    internal DartsAlphas Alphas => _alphas;

    internal SearchNetwork Network => _network;

    /// <summary>The learning rate (cosine over the search's steps) and weight decay of the next step.</summary>
    public (double LearningRate, double WeightDecay) HyperParameters
    {
        get
        {
            var steps = (long)Budget.SearchEpochs * Budget.StepsPerEpoch;
            // the decaying schedule of a fixed-architecture phase: DARTS anneals its search's rate by cosine
            return (LearningRateSchedule.FixedRate(_options.Train, SearchPhase.Train, _position.GlobalStep, steps, Budget.StepsPerEpoch), _options.Train.WeightDecay);
        }
    }

    public void Train(ISearchObserver observer, CancellationToken cancel, Action checkpointDue)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var due = DivergenceGuard.BeforeCheckpoint(_network, () => _position, checkpointDue);
        observer.OnRunStarted(new RunInfo(Budget.StepsPerEpoch, Budget.SearchEpochs + Budget.RetrainEpochs, _position.Epoch, _position.Step, SearchPhase.Search,
            _dataset, _splits.Train.Count, _splits.Validation.Count, _splits.Test.Count, _network.parameters().Sum(p => p.numel()),
            2 * CellTopology.Nodes, _resumed, Budget.SearchEpochs, SpareEpochsTrain: false));
        while (!Finished)
        {
            cancel.ThrowIfCancellationRequested();
            TrainEpoch(observer, due, cancel);
        }
    }

    private void TrainEpoch(ISearchObserver observer, Action checkpointDue, CancellationToken cancel)
    {
        // step s always sees validation batch s of the endless stream, so a resumed run sees the same ones
        using var validation = _validationLoader.Endless(_position.GlobalStep).GetEnumerator();
        _validation = validation;
        try
        {
            EpochSteps.Run(this, _trainLoader.Passes(_position.GlobalStep, Budget.StepsPerEpoch - _position.Step), SearchPhase.Search, "search", observer, checkpointDue, cancel);
        }
        finally
        {
            _validation = null;
        }
    }

    TrainerPosition IEpochStepper.Position
    {
        get => _position;
        set => _position = value;
    }

    int IEpochStepper.StepsPerEpoch => Budget.StepsPerEpoch;

    /// <summary>α by Adam on the architecture gradient of the next validation batch, then the weights on the training batch.</summary>
    (double Loss, long Correct) IEpochStepper.Step(Batch batch, double learningRate, double weightDecay)
    {
        using var scope = NewDisposeScope();
        _validation!.MoveNext();
        using var validation = _validation.Current;
        _network.train();
        _alphas.ZeroGrad();
        _architect.SetGradient(
            architecture => TrainingLoss.Of(_network.forward(batch.Images, architecture).Logits, null, batch.Labels, _options, nn.Reduction.Mean),
            architecture => nn.functional.cross_entropy(_network.forward(validation.Images, architecture).Logits, validation.Labels),
            learningRate);
        _alphas.Step();

        _network.zero_grad();
        var logits = _network.forward(batch.Images, _alphas.Mix(differentiable: false)).Logits;
        var loss = TrainingLoss.Of(logits, null, batch.Labels, _options, nn.Reduction.Mean);
        loss.backward();
        _weights.Step(learningRate, weightDecay);
        return (loss.ToDouble(), logits.argmax(1).eq(batch.Labels).sum().ToInt64());
    }

    /// <summary>The supernet with the current α, in eval mode, on <paramref name="data"/>.</summary>
    public ClassificationMetrics Score(ImageDataset data)
    {
        _network.eval();
        try
        {
            return Evaluator.Evaluate(images => _network.forward(images, _alphas.Mix(differentiable: false)).Logits, data,
                _normalisation.Mean, _normalisation.Std, _options.Data.BatchSize);
        }
        finally
        {
            _network.train();
        }
    }

    /// <summary>Writes the position, the supernet's weights, α with its Adam state and the weight optimiser's velocities atomically.</summary>
    public void SaveCheckpoint(string path) =>
        Checkpoint.SaveSections(path, RunFingerprint.Of(_options, _splits), _position,
            [(Checkpoint.Network, w => _network.save(w)), (AlphasSection, _alphas.Save), (Checkpoint.Weights, _weights.Save)]);

    public void LoadCheckpoint(string path) =>
        Checkpoint.LoadSections(path, RunFingerprint.Of(_options, _splits),
            [(Checkpoint.Network, r => _network.load(r)), (AlphasSection, _alphas.Load), (Checkpoint.Weights, _weights.Load)], Resume);

    private void Resume(TrainerPosition position)
    {
        EpochSteps.CheckPosition(position, SearchPhase.Search, Budget.SearchEpochs, Budget.StepsPerEpoch, "a DARTS search");
        _position = position;
        _resumed = true;
    }

    public void Dispose()
    {
        _weights.Dispose();
        _alphas.Dispose();
        _network.Dispose();
        _splits.Dispose();
    }
}
