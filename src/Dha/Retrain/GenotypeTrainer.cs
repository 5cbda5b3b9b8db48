using Dha.Augment;
using Dha.Data;
using Dha.Evaluation;
using Dha.Hpo;
using Dha.Nas;
using Dha.Optimisers;
using Dha.Search;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Retrain;

/// <summary>
/// The paper's "search, then retrain" baseline (dha-method §2, the two-stage rows): a given genotype's
/// <see cref="FixedNetwork"/> trained from scratch on the search's data pipeline and budget. Momentum SGD at
/// <c>train.learning_rate</c> and <c>train.weight_decay</c>, the learning rate following the reference cosine
/// schedule step by step over the whole run down to <see cref="LearningRateFloor"/> (or, with
/// <c>train.schedule=step</c>, × <c>train.decay_gamma</c> every <c>train.decay_period</c> epochs); flip + random crop (+ cutout
/// when the options set it); the auxiliary head's loss when the network has one; drop-path rising linearly from 0 to
/// <c>network.drop_path</c> over the run. Prints nothing: progress goes to an <see cref="ISearchObserver"/>.
/// </summary>
internal sealed class GenotypeTrainer : IEpochStepper, IDisposable
{
    /// <summary>η at the end of the cosine schedule (the reference's <c>w_lr_min</c> of the one-stage runs).</summary>
    public const double LearningRateFloor = 0.001;

    private readonly SearchOptions _options;
    private readonly DatasetSplits _splits;
    private readonly string _dataset;
    private readonly FixedNetwork _network;
    private readonly BatchLoader _trainLoader;
    private readonly HyperSgd _weights;
    private readonly IDisposable? _ownedData;

    private TrainerPosition _position = new() { Phase = SearchPhase.Train };
    private bool _resumed;

    private GenotypeTrainer(SearchOptions options, DatasetSplits splits, string dataset, InputNormalisation normalisation, FixedNetwork network,
        BatchLoader trainLoader, HyperSgd weights, IDisposable? ownedData, (int Epochs, int StepsPerEpoch)? length)
    {
        _options = options;
        _splits = splits;
        _dataset = dataset;
        Mean = normalisation.Mean;
        Std = normalisation.Std;
        _network = network;
        _trainLoader = trainLoader;
        (Epochs, StepsPerEpoch) = length ?? (EpochsOf(options, trainLoader.BatchesPerEpoch), trainLoader.BatchesPerEpoch);
        _weights = weights;
        _ownedData = ownedData;
    }

    /// <summary>
    /// A trainer of <paramref name="genotype"/> on the splits of <paramref name="train"/> and
    /// <paramref name="test"/> that a search with <paramref name="options"/> would use; it owns those splits.
    /// </summary>
    /// <param name="options">The run's options (validated here); the mode and the search's own settings are not used.</param>
    /// <param name="genotype">The architecture to train.</param>
    /// <param name="train">The official training set.</param>
    /// <param name="test">The official test set.</param>
    /// <param name="dataset">What the data is called in reports (a path or a name).</param>
    /// <param name="length">
    /// Epochs and steps per epoch; null = the budget of a search with <paramref name="options"/> in whole passes over
    /// the training split (<see cref="EpochsOf"/>). The retraining stage of a search-then-retrain run gives the
    /// epochs its search left.
    /// </param>
    public static GenotypeTrainer Build(SearchOptions options, Genotype genotype, ImageDataset train, ImageDataset test, string dataset,
        (int Epochs, int StepsPerEpoch)? length = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(genotype);
        options.Validate();
        if (options.Replicas > 1)
        {
            throw new InvalidInputException($"replicas: must be 0 or 1 when training a fixed genotype (got {options.Replicas}); only the search network runs in parts");
        }
        return TrainerBuilder.OnOwnSplits(options, train, test, splits =>
        {
            var normalisation = TrainerBuilder.Prepare(options, splits);
            var data = splits.Train;
            var shape = new NetworkShape(data.Channels, data.Height, options.Network.Channels, options.Network.Layers, data.ClassCount, options.Network.Auxiliary);
            NetworkMemory.Check(NetworkMemory.FixedTrainingBytes(shape, genotype, options.Data.BatchSize),
                TrainerBuilder.MemoryWhat(options, shape, "network"), TrainerBuilder.MemoryFix);
            var network = new FixedNetwork(shape, genotype);
            var augmentation = new AugmentedImages(TrainerBuilder.Augmenter(options, normalisation, data.Height, usePolicy: false));
            var loader = TrainerBuilder.TrainLoader(options, data, normalisation, augmentation);
            return new GenotypeTrainer(options, splits, dataset, normalisation, network, loader, TrainerBuilder.WeightOptimiser(options, network), splits, length);
        });
    }

    /// <summary>
    /// The epochs (whole passes of <paramref name="passSteps"/> steps) of a retraining with <paramref name="options"/>:
    /// as many steps as a search run with them takes in all (<see cref="RunBudget"/>: the step budget, or search +
    /// training epochs), rounded to whole passes, so both get the same budget. The one place the run length is decided.
    /// </summary>
    public static int EpochsOf(SearchOptions options, int passSteps)
    {
        ArgumentNullException.ThrowIfNull(options);
        var budget = RunBudget.Of(options.Train, passSteps);
        return (int)Math.Max(1, Math.Round((double)budget.TotalSteps / passSteps, MidpointRounding.AwayFromZero));
    }

    public SearchOptions Options => _options;

    public NetworkShape Shape => _network.Shape;

    public Genotype Genotype => _network.Genotype;

    public float[] Mean { get; }

    public float[] Std { get; }

    public DatasetSplits Splits => _splits;

    /// <summary>Where the run stands (always in <see cref="SearchPhase.Train"/>; epoch = overall epoch).</summary>
    public TrainerPosition Position => _position;

    public int StepsPerEpoch { get; }

    public int Epochs { get; }

    public bool Finished => _position.Epoch >= Epochs;

    /// <summary>The learning rate and weight decay the next step uses.</summary>
    public (double LearningRate, double WeightDecay) HyperParameters
    {
        get
        {
            var train = _options.Train;
            var start = train.LearningRate;
            var learningRate = train.Schedule == LearningRateDecay.Step
                ? StepDecaySchedule.At(start, train.DecayGamma, train.DecayPeriod, _position.GlobalStep / StepsPerEpoch)
                : CosineSchedule.At(start, Math.Min(start, LearningRateFloor), _position.GlobalStep, (long)Epochs * StepsPerEpoch);
            return (learningRate, _options.Train.WeightDecay);
        }
    }

    internal FixedNetwork Network => _network;

    /// <summary>
    /// Trains until the run is finished or <paramref name="cancel"/> fires, reporting to <paramref name="observer"/>.
    /// <paramref name="checkpointDue"/> is called at every epoch end, every <c>train.checkpoint_steps</c> steps, and
    /// when cancelled, with the trainer in a state that <see cref="SaveCheckpoint"/> captures exactly.
    /// </summary>
    public void Train(ISearchObserver observer, CancellationToken cancel, Action? checkpointDue = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var due = DivergenceGuard.BeforeCheckpoint(_network, () => _position, checkpointDue ?? (() => { }));
        observer.OnRunStarted(new RunInfo(StepsPerEpoch, Epochs, _position.Epoch, _position.Step, SearchPhase.Train, _dataset,
            _splits.Train.Count, _splits.Validation.Count, _splits.Test.Count, _network.parameters().Sum(p => p.numel()), 0, _resumed,
            SearchEpochs: 0, SpareEpochsTrain: false));
        while (!Finished)
        {
            cancel.ThrowIfCancellationRequested();
            TrainEpoch(observer, due, cancel);
        }
        _network.eval();
    }

    private void TrainEpoch(ISearchObserver observer, Action checkpointDue, CancellationToken cancel)
    {
        // drop-path rises linearly over the run, as DARTS's retraining does it (epoch / epochs)
        _network.DropPathProbability = _options.Network.DropPath * _position.Epoch / Epochs;
        _network.train();
        // an epoch of a whole pass is that pass; a shorter one is the next run of the chain of passes
        EpochSteps.Run(this, _trainLoader.Passes((long)_position.Epoch * StepsPerEpoch + _position.Step, StepsPerEpoch - _position.Step),
            SearchPhase.Train, "retrain", observer, checkpointDue, cancel);
    }

    TrainerPosition IEpochStepper.Position
    {
        get => _position;
        set => _position = value;
    }

    (double Loss, long Correct) IEpochStepper.Step(Batch batch, double learningRate, double weightDecay)
    {
        using var scope = NewDisposeScope();
        manual_seed(Seeds.For(_options.Seed, "step", _position.GlobalStep)); // drop-path masks
        var (logits, aux) = _network.forward(batch.Images);
        var loss = TrainingLoss.Of(logits, aux, batch.Labels, _options, nn.Reduction.Mean);
        _network.zero_grad();
        loss.backward();
        _weights.Step(learningRate, weightDecay);
        return (loss.ToDouble(), logits.argmax(1).eq(batch.Labels).sum().ToInt64());
    }

    /// <summary>
    /// The network in eval mode (no drop-path, no auxiliary head) on <paramref name="data"/>; it stays in eval mode
    /// until the next epoch begins, which is what the model export after the last one needs.
    /// </summary>
    public ClassificationMetrics Score(ImageDataset data)
    {
        _network.eval();
        return Evaluator.Evaluate(images => _network.forward(images).Logits, data, Mean, Std, _options.Data.BatchSize);
    }

    /// <summary>Writes the position, the network's weights and the optimiser's velocities to <paramref name="path"/> atomically.</summary>
    public void SaveCheckpoint(string path) =>
        Checkpoint.SaveSections(path, Fingerprint, _position, [(Checkpoint.Network, w => _network.save(w)), (Checkpoint.Weights, _weights.Save)]);

    /// <summary>Continues from what <see cref="SaveCheckpoint"/> wrote for a trainer built with the same options, genotype and data.</summary>
    /// <exception cref="InvalidInputException">The file is not such a checkpoint, is damaged, or belongs to another run.</exception>
    public void LoadCheckpoint(string path) =>
        Checkpoint.LoadSections(path, Fingerprint, [(Checkpoint.Network, r => _network.load(r)), (Checkpoint.Weights, _weights.Load)], Resume);

    private byte[] Fingerprint => RunFingerprint.Of(_options, _splits, Genotype.ToString());

    private void Resume(TrainerPosition position)
    {
        EpochSteps.CheckPosition(position, SearchPhase.Train, Epochs, StepsPerEpoch, "a retraining");
        _position = position;
        _resumed = true;
    }

    public void Dispose()
    {
        _weights.Dispose();
        _network.Dispose();
        _ownedData?.Dispose();
    }
}
