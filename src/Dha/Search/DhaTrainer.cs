using System.Diagnostics;
using Dha.Augment;
using Dha.Data;
using Dha.Evaluation;
using Dha.Hpo;
using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>
/// The DHA training loop (dha-method §3): phase A searches the architecture while the augmentation policy θ, the
/// code z, the weights w and then η, λ step in the method's order; phase B trains the same weights on with the
/// architecture fixed. There is no retraining from scratch, except in the two-stage modes, whose search steps z on the
/// validation loss and whose phase B retrains the genotype from fresh weights (<see cref="TwoStageRetrain"/>). The trainer owns the order of updates; each learner
/// owns its parameters, optimiser and saved state. Build one with <see cref="TrainerBuilder"/>; it prints nothing:
/// progress goes to an <see cref="ISearchObserver"/>.
/// </summary>
internal sealed class DhaTrainer : IDisposable
{
    private static readonly CellType[] CellTypes = [CellType.Normal, CellType.Reduce];

    private readonly SearchOptions _options;
    private readonly SearchMode _mode;
    private readonly DatasetSplits _splits;
    private readonly string _dataset;
    private readonly SearchNetwork _network;
    private readonly SearchNetworkReplicas _replicas;
    private readonly IstaEncoder _encoder;
    private readonly OpPairPolicy? _policy;
    private readonly ScheduledAugmentation _augmentation;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validationLoader;
    private readonly HyperLearner _hyper;
    private readonly bool _twoStage;
    private readonly IDisposable? _ownedData;
    private readonly RunBudget _budget;

    private HyperSgd _weights;
    private TrainerPosition _position = new();
    private bool _resumed;

    internal DhaTrainer(
        SearchOptions options,
        DatasetSplits splits,
        string dataset,
        InputNormalisation normalisation,
        SearchNetwork network,
        IstaEncoder encoder,
        OpPairPolicy? policy,
        ScheduledAugmentation augmentation,
        BatchLoader trainLoader,
        BatchLoader validationLoader,
        HyperSgd weights,
        HyperLearner hyper,
        IDisposable? ownedData)
    {
        _options = options;
        _mode = options.Mode;
        _twoStage = options.Mode.IsTwoStage();
        _splits = splits;
        _dataset = dataset;
        Mean = normalisation.Mean;
        Std = normalisation.Std;
        Shape = network.Shape;
        _network = network;
        _replicas = new SearchNetworkReplicas(network, options.PartsPerStep, TrainerBuilder.IntraOpThreads(options));
        _encoder = encoder;
        _policy = policy;
        _augmentation = augmentation;
        _trainLoader = trainLoader;
        _validationLoader = validationLoader;
        _weights = weights;
        _hyper = hyper;
        _ownedData = ownedData;
        _budget = RunBudget.Of(options.Train, trainLoader.BatchesPerEpoch);
    }

    public SearchOptions Options => _options;

    public NetworkShape Shape { get; }

    public float[] Mean { get; }

    public float[] Std { get; }

    public DatasetSplits Splits => _splits;

    internal SearchNetwork Network => _network;

    internal IstaEncoder Encoder => _encoder;

    internal OpPairPolicy? Policy => _policy;

    internal HyperSgd Weights => _weights;

    internal HyperLearner Hyper => _hyper;

    /// <summary>The validation batches of the hypergradient and of a two-stage search's code step.</summary>
    internal BatchLoader ValidationLoader => _validationLoader;

    /// <summary>When set, every step adds the time of its parts to it (the benchmark's profile).</summary>
    internal StepTimings? Timings { get; set; }

    internal ScheduledAugmentation Augmentation => _augmentation;

    /// <summary>Where the run stands: phase, epoch, step.</summary>
    public TrainerPosition Position => _position;

    /// <summary>
    /// The learning rate and weight decay the next step uses: the learned η (times its envelope) and λ, or the fixed
    /// rate on its schedule and the fixed weight decay (<see cref="LearningRateSchedule"/>).
    /// </summary>
    public (double LearningRate, double WeightDecay) HyperParameters
    {
        get
        {
            var (phase, step, steps) = PhaseProgress(_position);
            return LearnsHyperParametersNow
                ? (_hyper.LearningRate * LearningRateSchedule.Envelope(_options.Hpo, phase, step, steps), _hyper.WeightDecay)
                : (LearningRateSchedule.FixedRate(_options.Train, phase, step, steps, StepsPerEpoch), _options.Train.WeightDecay);
        }
    }

    /// <summary>Whether the policy samples and learns now: in its modes, but in a two-stage run only in the retraining.</summary>
    private bool LearnsPolicyNow => _policy is not null && !TwoStageSearch;

    /// <summary>Whether η and λ follow their hypergradient now: in their modes, but in a two-stage run only in the retraining.</summary>
    private bool LearnsHyperParametersNow => _mode.LearnsHyperParameters() && !TwoStageSearch;

    /// <summary>Whether this is a two-stage run's search, whose codes step on the validation loss.</summary>
    private bool TwoStageSearch => _twoStage && _position.Phase == SearchPhase.Search;

    /// <summary>Epochs per phase and steps per epoch, from the epochs or the step budget of the options.</summary>
    public RunBudget Budget => _budget;

    public int StepsPerEpoch => _budget.StepsPerEpoch;

    /// <summary>The training steps of the whole run, which the learners' rates follow (<see cref="RunLengthRates"/>).</summary>
    internal long RunSteps => _budget.TotalSteps;

    public bool Finished => _position.Phase == SearchPhase.Train && _position.Epoch >= TrainEpochs(_position);

    public Genotype Genotype => _encoder.Genotype;

    public double[]? PolicyProbabilities => _policy?.Probabilities();

    public double[]? PolicyTheta => _policy?.Theta();

    public double? PolicyEntropy => _policy?.Entropy();

    /// <summary>
    /// Trains until the run is finished or <paramref name="cancel"/> fires, reporting to <paramref name="observer"/>.
    /// <paramref name="checkpointDue"/> is called at every epoch end, every <c>train.checkpoint_steps</c> steps, and
    /// when cancelled, with the trainer in a state that <see cref="Checkpoint.Save"/> captures exactly.
    /// </summary>
    public void Train(ISearchObserver observer, CancellationToken cancel, Action? checkpointDue = null)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var due = DivergenceGuard.BeforeCheckpoint(_network, () => _position, checkpointDue ?? (() => { }));
        observer.OnRunStarted(new RunInfo(StepsPerEpoch, SearchEpochs(_position) + TrainEpochs(_position),
            _position.GlobalEpoch, _position.Step, _position.Phase, _dataset, _splits.Train.Count, _splits.Validation.Count,
            _splits.Test.Count, _network.parameters().Sum(p => p.numel()), CellTypes.Length * CellTopology.Nodes, _resumed,
            SearchEpochs(_position), _budget.FromSteps));
        while (!Finished)
        {
            cancel.ThrowIfCancellationRequested();
            RunEpoch(observer, due, cancel);
        }
    }

    private void RunEpoch(ISearchObserver observer, Action checkpointDue, CancellationToken cancel)
    {
        var search = _position.Phase == SearchPhase.Search;
        if (_position.Step == 0)
        {
            StartEpoch(search, observer);
        }
        ApplyPhaseSettings();
        var watch = Stopwatch.StartNew();
        var steps = StepsPerEpoch;
        _augmentation.Reset();
        using (var validation = ValidationBatches())
        {
            // epoch e is batches [e·n, (e+1)·n) of the loader's chain of passes: one pass when n is a pass
            using var batches = _trainLoader.Passes((long)_position.GlobalEpoch * steps + _position.Step, steps - _position.Step).GetEnumerator();
            var stepWatch = Stopwatch.StartNew();
            while (batches.MoveNext())
            {
                var wait = stepWatch.Elapsed.TotalSeconds;
                TrainOn(batches.Current, validation, search);
                _position = _position with { Step = _position.Step + 1, GlobalStep = _position.GlobalStep + 1 };
                var (lr, wd) = HyperParameters;
                observer.OnStepCompleted(new StepMetrics(_position.Phase, _position.GlobalEpoch, _position.Step, steps,
                    _position.TrainLoss / Math.Max(1, _position.TrainCount), _position.TrainCorrect / Math.Max(1.0, _position.TrainCount), lr, wd,
                    stepWatch.Elapsed.TotalSeconds, wait));
                if (_position.CheckpointDueMidEpoch(steps, _options.Train.CheckpointSteps, cancel.IsCancellationRequested))
                {
                    _position = _position.Spent(watch.Elapsed.TotalSeconds);
                    watch.Restart();
                    checkpointDue();
                    cancel.ThrowIfCancellationRequested();
                }
                stepWatch.Restart();
            }
        }
        _position = _position with { EpochSeconds = _position.EpochSeconds + watch.Elapsed.TotalSeconds };
        EndEpoch(search, observer);
        checkpointDue();
    }

    /// <summary>The endless validation stream from the current step on, when the hypergradient or a two-stage search needs it.</summary>
    private IEnumerator<Batch>? ValidationBatches() =>
        LearnsHyperParametersNow || TwoStageSearch ? _validationLoader.Endless(_position.GlobalStep).GetEnumerator() : null;

    /// <summary>One step on a training batch (disposed here) with the next validation batch, if any.</summary>
    private void TrainOn(Batch batch, IEnumerator<Batch>? validation, bool search)
    {
        using (batch)
        using (var opPairs = _augmentation.Consumed())
        {
            Batch? val = null;
            if (validation is not null)
            {
                // the stream advances every step, so step s always sees validation batch s, whatever the interval
                validation.MoveNext();
                val = validation.Current;
            }
            using (val)
            {
                Step(batch, opPairs, val, LearnsHyperParametersNow && _position.GlobalStep % _options.Hpo.Interval == 0, search);
            }
        }
    }

    /// <summary>
    /// Seconds per step of each phase, measured over <paramref name="measured"/> steps after <paramref name="warmup"/>
    /// (the time budget's speed). It trains: call it on a trainer built for the measurement and then thrown away.
    /// </summary>
    internal StepSpeed MeasureSpeed(int warmup, int measured)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(measured);
        var search = SecondsPerStep(SearchPhase.Search, warmup, measured);
        return new StepSpeed(search, SecondsPerStep(SearchPhase.Train, warmup, measured));
    }

    private double SecondsPerStep(SearchPhase phase, int warmup, int measured)
    {
        _position = _position with { Phase = phase };
        ApplyPhaseSettings();
        _augmentation.Reset();
        var watch = new Stopwatch();
        using var validation = ValidationBatches();
        foreach (var batch in _trainLoader.Passes(_position.GlobalStep, warmup + measured))
        {
            if (_position.Step == warmup)
            {
                watch.Start();
            }
            TrainOn(batch, validation, phase == SearchPhase.Search);
            _position = _position with { Step = _position.Step + 1, GlobalStep = _position.GlobalStep + 1 };
        }
        _position = _position with { Step = 0 };
        return watch.Elapsed.TotalSeconds / measured;
    }

    /// <summary>
    /// One training step in the method's order (dha-method §3.3), with the hypergradient step of η and λ on
    /// <paramref name="validation"/> when <paramref name="hypergradient"/>; a two-stage search steps z on it first.
    /// </summary>
    private void Step(Batch batch, Tensor? opPairs, Batch? validation, bool hypergradient, bool search)
    {
        using var scope = NewDisposeScope();
        Timings?.Begin();
        torch.manual_seed(Seeds.For(_options.Seed, "step", _position.GlobalStep)); // drop-path masks
        _replicas.Seed(_options.Seed, _position.GlobalStep); // theirs, when the step runs in parts
        if (LearnsPolicyNow && _options.Da.Sampling == PolicySampling.Step)
        {
            _augmentation.Current = _policy!.SampleMatrix(Seeds.Random(_options.Seed, "gumbel", _position.GlobalStep));
        }
        else if (_policy is not null && _options.Da.Sampling == PolicySampling.Reference && _position.Step == StepsPerEpoch - 1)
        {
            // the authors' loader workers copy the matrix as the next epoch's loader starts: the one drawn here, at the
            // start of the last step (dha-method §5.5); every batch of this epoch is scheduled already, so only the
            // next epoch draws from it
            _augmentation.Current = _policy.SampleMatrix(Seeds.Random(_options.Seed, "gumbel", _position.GlobalStep));
        }
        if (_position.GlobalStep == 1 && AffineTrainsEarly)
        {
            UnfreezeAffine(frozenOnly: false); // the authors' HPO step re-enables every gradient after the first step
        }

        Timings?.Mark(0);
        _network.train();
        var codesOnTraining = search && !_twoStage;
        if (search && _twoStage)
        {
            // the reference's two-stage search (searchmanager_darts.py, ista_*): z first, on the validation loss at
            // the current weights; then the weights on the training loss, the new z a constant of their step
            ValidationCodeGradient(validation ?? throw new InvalidOperationException("a two-stage search step needs a validation batch"));
            _encoder.Step();
        }
        var architecture = Architecture(codesOnTraining);
        _network.zero_grad();
        _encoder.ZeroGrad();
        var parts = _replicas.Run(batch.Images, batch.Labels, architecture, (network, images, labels, arch) =>
        {
            var (logits, aux) = network.forward(images, arch);
            // label smoothing shapes the per-sample losses themselves, so θ learns from the loss the weights train on
            var perSample = TrainingLoss.Of(logits, aux, labels, _options, nn.Reduction.None);
            return (perSample.mean(), [perSample.detach(), logits.argmax(1).eq(labels).sum()]);
        }, Timings is null ? null : () => Timings.Mark(1));
        var perSample = parts.Count == 1 ? parts[0][0] : cat(parts.Select(p => p[0]).ToArray());
        Timings?.Mark(3);

        // θ from the detached per-sample losses of the augmented batch (the method's order has it before the
        // weights' backward, which does not touch it)
        if (LearnsPolicyNow && opPairs is not null)
        {
            _policy!.Update(perSample, opPairs);
        }
        Timings?.Mark(2);
        if (codesOnTraining)
        {
            _encoder.Step();
        }
        var (learningRate, weightDecay) = HyperParameters;
        _weights.Step(learningRate, weightDecay);

        var lossValue = perSample.mean().ToDouble();
        DivergenceGuard.CheckLoss(lossValue, _position);
        var correct = parts.Sum(p => p[1].ToInt64());
        _position = _position with
        {
            TrainLoss = _position.TrainLoss + lossValue * batch.Size,
            TrainCorrect = _position.TrainCorrect + correct,
            TrainCount = _position.TrainCount + batch.Size,
        };
        Timings?.Mark(4);

        if (hypergradient && validation is not null)
        {
            // the hypergradient of the validation loss at w' (train mode, no aux term: dha-method §3.3 steps 7-8);
            // unsmoothed, as every validation and test loss: η and λ chase the loss that is measured, not the regulariser
            _network.zero_grad();
            _replicas.Run(validation.Images, validation.Labels, Architecture(search), (network, images, labels, arch) =>
            {
                var (validationLogits, _) = network.forward(images, arch);
                return (nn.functional.cross_entropy(validationLogits, labels), []);
            }, Timings is null ? null : () => Timings.Mark(5));
            Timings?.Mark(6);
            // the step used η·envelope: by the chain rule dL/dη = dL/d(η·envelope) · envelope
            var (dLearningRate, dWeightDecay) = _weights.Hypergradient(learningRate);
            var (phase, phaseStep, phaseSteps) = PhaseProgress(_position);
            // every k-th step only: a step k times as large, so η and λ can move as far over the run
            var interval = _options.Hpo.Interval;
            _hyper.Step(interval * dLearningRate * LearningRateSchedule.Envelope(_options.Hpo, phase, phaseStep, phaseSteps), interval * dWeightDecay);
            Timings?.Mark(7);
        }
    }

    /// <summary>
    /// Leaves in the unfrozen codes' gradients that of the validation loss at the current weights (train mode, no
    /// auxiliary term, unsmoothed): the architecture gradient of a two-stage search.
    /// </summary>
    internal void ValidationCodeGradient(Batch validation)
    {
        using var scope = NewDisposeScope();
        _encoder.ZeroGrad();
        var (logits, _) = _network.forward(validation.Images, _encoder.Project());
        nn.functional.cross_entropy(logits, validation.Labels).backward();
    }

    /// <summary>
    /// The architecture outside the code's step, as constants: what the network is evaluated and exported with.
    /// </summary>
    internal Nas.Architecture FixedArchitecture() => Architecture(search: false);

    /// <summary>Whether the mixed ops' BN affine trains from the second step on (<see cref="NetworkOptions.MixedOpAffineTrains"/>).</summary>
    private bool AffineTrainsEarly => _options.Network.MixedOpAffineTrains && _mode.LearnsHyperParameters();

    /// <summary>
    /// Phase A: α(z), differentiable in the unfrozen codes. Phase B: the same values as constants, or in a two-stage
    /// run the genotype at unit scalars (<see cref="TwoStageRetrain"/>).
    /// </summary>
    private Nas.Architecture Architecture(bool search)
    {
        if (search)
        {
            return _encoder.Project();
        }
        if (_twoStage && _position.Phase == SearchPhase.Train)
        {
            return TwoStageRetrain.Architecture(_encoder.Genotype);
        }
        using (no_grad())
        {
            return _encoder.Project();
        }
    }

    private void StartEpoch(bool search, ISearchObserver observer)
    {
        _position = _position with { TrainLoss = 0, TrainCorrect = 0, TrainCount = 0, EpochSeconds = 0 };
        if (search)
        {
            // "pretrain": newly frozen nodes stop their z and let their mixed-op BN affine train (dha-method §4.5)
            foreach (var (type, node) in _encoder.BeginEpoch())
            {
                _network.UnfreezeNodeAffine(type, node);
                observer.OnNodeFrozen(new NodeFrozen(_position.GlobalEpoch, type, node));
            }
        }
        if (LearnsPolicyNow && _options.Da.Sampling == PolicySampling.Epoch)
        {
            _augmentation.Current = _policy!.SampleMatrix(Seeds.Random(_options.Seed, "gumbel-epoch", _position.GlobalEpoch));
        }
    }

    /// <summary>Settings that follow from the phase and epoch alone; applied at every epoch start, so also after a resume.</summary>
    private void ApplyPhaseSettings()
    {
        var search = _position.Phase == SearchPhase.Search;
        _augmentation.Magnitude = search ? _options.Da.Magnitude : _options.Da.MagnitudeTune;
        _augmentation.UsePlain = TwoStageSearch;
        if (_policy is not null)
        {
            _policy.LearningRate = RunLengthRates.Scale(search ? _options.Da.LearningRate : _options.Da.LearningRateTune, _options.Da.RateRunSteps, RunSteps);
        }
        _hyper.HyperLearningRate = RunLengthRates.Scale(search ? _options.Hpo.HyperLearningRate : _options.Hpo.HyperLearningRateTune, _options.Hpo.RateRunSteps, RunSteps);
        // drop-path ramps linearly over phase B (dha-method §4.2); none while searching
        _network.DropPathProbability = search ? 0 : _options.Network.DropPath * _position.Epoch / Math.Max(1, TrainEpochs(_position));
    }

    /// <summary>
    /// Phase B epochs of a run at <paramref name="position"/>. With a step budget the search epochs left unused when
    /// every node froze early go to phase B, so the run still spends its budget; sized by epochs, phase B keeps
    /// <c>train.retrain_epochs</c>. The search epochs done follow from the position (overall minus phase B epoch).
    /// </summary>
    private int TrainEpochs(TrainerPosition position) =>
        _budget.RetrainEpochs + (_budget.FromSteps && position.Phase == SearchPhase.Train ? _budget.SearchEpochs - (position.GlobalEpoch - position.Epoch) : 0);

    /// <summary>Phase A epochs of a run at <paramref name="position"/>: the cap while searching, the epochs searched once phase B began.</summary>
    private int SearchEpochs(TrainerPosition position) =>
        position.Phase == SearchPhase.Search ? _budget.SearchEpochs : position.GlobalEpoch - position.Epoch;

    /// <summary>The phase of <paramref name="position"/>, the steps done in it and its length in steps: what the schedules follow.</summary>
    private (SearchPhase Phase, long Step, long Steps) PhaseProgress(TrainerPosition position)
    {
        var epochs = position.Phase == SearchPhase.Search ? _budget.SearchEpochs : TrainEpochs(position);
        return (position.Phase, (long)position.Epoch * StepsPerEpoch + position.Step, (long)epochs * StepsPerEpoch);
    }

    private void EndEpoch(bool search, ISearchObserver observer)
    {
        var searchEnds = false;
        if (search)
        {
            if (_encoder.StopFlag)
            {
                searchEnds = true; // every node was frozen when this epoch began: postrain skips recovery
            }
            else if (_position.Epoch + 1 >= _budget.SearchEpochs && !_twoStage)
            {
                // The epoch cap ends the search. No recovery after the last epoch: the architecture kept is the
                // one these weights were trained with, and the genotype reports exactly that.
                searchEnds = true;
            }
            else
            {
                observer.OnRecovery(new ArchitectureRecovery(_position.GlobalEpoch, _encoder.EndEpoch()));
                // a two-stage run retrains from fresh weights, so its last epoch's recovery decides the genotype, as
                // the reference's postrain after every epoch does
                searchEnds = _twoStage && _position.Epoch + 1 >= _budget.SearchEpochs;
            }
        }

        var validation = EvaluateSearchNetwork(_splits.Validation);
        double? test = _options.Train.TestEveryEpoch ? EvaluateSearchNetwork(_splits.Test).Accuracy : null;
        var (lr, wd) = HyperParameters;
        observer.OnEpochCompleted(new EpochMetrics(
            _position.GlobalEpoch,
            search ? "search" : "train",
            _position.TrainLoss / Math.Max(1, _position.TrainCount),
            _position.TrainCorrect / Math.Max(1.0, _position.TrainCount),
            validation.Loss,
            validation.Accuracy,
            test,
            lr,
            wd,
            _policy?.Entropy() ?? double.NaN,
            _encoder.FrozenCount,
            _encoder.Genotype.ToString(),
            _position.EpochSeconds));

        _position = _position with { Epoch = _position.Epoch + 1, GlobalEpoch = _position.GlobalEpoch + 1, Step = 0 };
        if (search && searchEnds)
        {
            SwitchToTraining(observer);
        }
    }

    /// <summary>
    /// The phase switch (dha-method §3.2): architecture fixed from the last accepted x, η and λ restarted; in a
    /// two-stage run fresh weights and a fresh weight optimiser for the retraining.
    /// </summary>
    private void SwitchToTraining(ISearchObserver observer)
    {
        // freeze what froze in the last recovery; x (and so the support) is that of the last search epoch
        _encoder.BeginEpoch();
        UnfreezeAffine(frozenOnly: false);
        if (_twoStage)
        {
            TwoStageRetrain.Reinitialise(_network, _options.Seed);
            _weights.Dispose();
            _weights = TrainerBuilder.WeightOptimiser(_options, _network);
        }
        if (_options.Hpo.Restart)
        {
            _hyper.Restart(clearMomentum: !_options.Hpo.RestartKeepsMomentum);
        }
        _position = _position with { Phase = SearchPhase.Train, Epoch = 0 };
        observer.OnPhaseChanged(SearchPhase.Train);
    }

    /// <summary>Lets the mixed-op BN affine of every node train, or only of the nodes whose code is frozen.</summary>
    private void UnfreezeAffine(bool frozenOnly)
    {
        foreach (var type in CellTypes)
        {
            for (var node = 0; node < CellTopology.Nodes; node++)
            {
                if (!frozenOnly || _encoder.IsFrozen(type, node))
                {
                    _network.UnfreezeNodeAffine(type, node);
                }
            }
        }
    }

    /// <summary>The search network with the current architecture, as constants, in eval mode.</summary>
    private ClassificationMetrics EvaluateSearchNetwork(ImageDataset data)
    {
        _network.eval();
        try
        {
            return Evaluator.Evaluate(images => _network.forward(images, Architecture(search: false)).Logits, data, Mean, Std, _options.Data.BatchSize);
        }
        finally
        {
            _network.train();
        }
    }

    /// <summary>
    /// Continues from a checkpoint's position once every learner's state is loaded: checks the position against this
    /// run, and re-derives what is not part of any state (requires_grad follows the encoder's freeze flags).
    /// </summary>
    /// <exception cref="InvalidInputException">The position cannot belong to this run.</exception>
    internal void Resume(TrainerPosition position)
    {
        var epochs = position.Phase == SearchPhase.Search ? _budget.SearchEpochs - 1 : TrainEpochs(position);
        if (position.Epoch > epochs || position.GlobalEpoch < position.Epoch || position.GlobalEpoch > _budget.SearchEpochs + _budget.RetrainEpochs)
        {
            throw new InvalidInputException(
                $"checkpoint: position epoch {position.Epoch} (overall {position.GlobalEpoch}) of the {position.Phase.ToString().ToLowerInvariant()} phase is impossible in this run");
        }
        if (position.Step >= StepsPerEpoch)
        {
            throw new InvalidInputException($"checkpoint: position step {position.Step} is impossible with {StepsPerEpoch} steps per epoch");
        }
        _position = position;
        _resumed = true;
        UnfreezeAffine(frozenOnly: position.Phase == SearchPhase.Search && !(AffineTrainsEarly && position.GlobalStep >= 1));
    }

    public void Dispose()
    {
        _weights.Dispose();
        _policy?.Dispose();
        _encoder.Dispose();
        _replicas.Dispose();
        _network.Dispose();
        _ownedData?.Dispose();
    }
}
