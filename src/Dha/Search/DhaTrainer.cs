using System.Diagnostics;
using Dha.Augment;
using Dha.Data;
using Dha.Hpo;
using Dha.Nas;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>
/// The DHA training loop (dha-method §3): phase A searches the architecture while the augmentation policy θ, the
/// code z, the weights w and then η, λ step in the method's order; phase B trains the same weights on with the
/// architecture fixed. There is no retraining from scratch. The trainer owns the order of updates; each learner
/// owns its parameters, optimiser and saved state. It prints nothing: progress goes to an <see cref="ISearchObserver"/>.
/// </summary>
public sealed class DhaTrainer : IDisposable
{
    private readonly SearchOptions _options;
    private readonly SearchMode _mode;
    private readonly LoadedDataset _loaded;
    private readonly DatasetSplits _splits;
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly SearchNetwork _network;
    private readonly IstaEncoder _encoder;
    private readonly OpPairPolicy? _policy;
    private readonly ScheduledAugmentation _augmentation;
    private readonly BatchLoader _trainLoader;
    private readonly BatchLoader _validationLoader;
    private readonly HyperSgd _weights;
    private readonly HyperLearner _hyper;
    private readonly ISearchObserver _observer;

    private TrainerPosition _position = new();

    public DhaTrainer(SearchOptions options, ISearchObserver? observer = null)
    {
        _options = options.Validate();
        _mode = options.SearchMode;
        _observer = observer ?? new NullObserver();
        TorchRuntime.Configure(options.Threads);

        _loaded = DatasetLocator.Load(options.Data.Path, options.Data.ImageSize);
        _splits = DatasetSplits.Create(_loaded.Train, _loaded.Test, options.Data.ValRatio, options.Data.HeldOutValidation, options.Seed);
        (_mean, _std) = Normalisation(options.Data, _splits.Train);

        torch.manual_seed(options.Seed);
        var train = _splits.Train;
        Shape = new NetworkShape(train.Channels, train.Height, options.Network.Channels, options.Network.Layers, train.ClassCount, options.Network.Auxiliary);
        _network = new SearchNetwork(Shape);
        var arch = options.Architecture;
        _encoder = new IstaEncoder(
            new IstaSettings(
                ProjectionDims: arch.ProjectionDims,
                DistLimit: arch.DistLimit,
                LassoAlpha: arch.LassoAlpha,
                FitIntercept: arch.FitIntercept,
                Rule: arch.SupportRule == "reference" ? SupportRule.Reference : SupportRule.AllOps,
                NormaliseScalars: arch.NormaliseScalars,
                ParamLimitMillions: arch.ParamLimit,
                LearningRate: arch.LearningRate,
                WeightDecay: arch.WeightDecay),
            options.Seed);

        var da = options.Da;
        _policy = _mode.LearnsPolicy() ? new OpPairPolicy(da.LearningRate, temperature: da.Temperature) : null;
        var augmenter = new BatchAugmenter(new AugmentSettings(
            _mean, _std, options.Data.CutoutSize, options.Data.HorizontalFlip, UsePolicy: _policy is not null,
            da.LevelMap == "reference" ? LevelMap.Reference : LevelMap.Centred))
        {
            Magnitude = da.Magnitude,
        };
        _augmentation = new ScheduledAugmentation(augmenter);

        var batch = options.Data.BatchSize;
        _trainLoader = new BatchLoader(train, batch, options.Seed, "train", shuffle: true, _mean, _std, _augmentation) { SafePoints = true };
        var validationBatch = options.Hpo.ValidationBatchSize > 0 ? options.Hpo.ValidationBatchSize : batch;
        _validationLoader = new BatchLoader(_splits.Validation, validationBatch, options.Seed, "validation", shuffle: true, _mean, _std);

        _weights = new HyperSgd([.. _network.parameters()], options.Train.Momentum, options.Train.GradClip);
        var hpo = options.Hpo;
        _hyper = new HyperLearner(
            new HyperRange(hpo.LearningRateLow, hpo.LearningRateHigh),
            new HyperRange(hpo.WeightDecayLow, hpo.WeightDecayHigh),
            hpo.HyperLearningRate);
    }

    public NetworkShape Shape { get; }

    public float[] Mean => _mean;

    public float[] Std => _std;

    public LoadedDataset Dataset => _loaded;

    public DatasetSplits Splits => _splits;

    internal SearchNetwork Network => _network;

    internal IstaEncoder Encoder => _encoder;

    internal OpPairPolicy? Policy => _policy;

    internal HyperLearner Hyper => _hyper;

    /// <summary>Where the run stands: phase, epoch, step.</summary>
    public TrainerPosition Position => _position;

    /// <summary>The learning rate and weight decay the next step uses.</summary>
    public (double LearningRate, double WeightDecay) HyperParameters =>
        _mode.LearnsHyperParameters() ? (_hyper.LearningRate, _hyper.WeightDecay) : (_options.Train.LearningRate, _options.Train.WeightDecay);

    public int StepsPerEpoch => _trainLoader.BatchesPerEpoch;

    public bool Finished => _position.Phase == SearchPhase.Train && _position.Epoch >= _options.Train.RetrainEpochs;

    /// <summary>
    /// Trains until the run is finished or <paramref name="cancel"/> fires. <paramref name="checkpoint"/> is called
    /// at every epoch end, every <c>train.checkpoint_steps</c> steps, and when cancelled, with the trainer in a
    /// state that <see cref="SaveState"/> captures exactly.
    /// </summary>
    public void Train(Action<DhaTrainer> checkpoint, Action<EpochMetrics> epochCompleted, CancellationToken cancel)
    {
        _observer.OnRunStarted(new RunInfo(StepsPerEpoch, _options.Train.SearchEpochs + _options.Train.RetrainEpochs,
            _position.GlobalEpoch, _position.Step, _position.Phase, _loaded.Path, _splits.Train.Count, _splits.Validation.Count,
            _splits.Test.Count, _network.parameters().Sum(p => p.numel())));
        while (!Finished)
        {
            cancel.ThrowIfCancellationRequested();
            RunEpoch(checkpoint, epochCompleted, cancel);
        }
    }

    private void RunEpoch(Action<DhaTrainer> checkpoint, Action<EpochMetrics> epochCompleted, CancellationToken cancel)
    {
        var search = _position.Phase == SearchPhase.Search;
        if (_position.Step == 0)
        {
            StartEpoch(search);
        }
        ApplyPhaseSettings();
        var watch = Stopwatch.StartNew();
        var steps = StepsPerEpoch;
        _augmentation.Reset();
        using (var validation = _mode.LearnsHyperParameters() ? _validationLoader.Endless(_position.GlobalStep).GetEnumerator() : null)
        {
            using var batches = _trainLoader.Epoch(_position.GlobalEpoch, _position.Step).GetEnumerator();
            var stepWatch = Stopwatch.StartNew();
            while (batches.MoveNext())
            {
                var wait = stepWatch.Elapsed.TotalSeconds;
                var batch = batches.Current;
                using (batch)
                {
                    _augmentation.Consumed();
                    Batch? val = null;
                    if (validation is not null)
                    {
                        validation.MoveNext();
                        val = validation.Current;
                    }
                    using (val)
                    {
                        Step(batch, val, search);
                    }
                }
                _position = _position with { Step = _position.Step + 1, GlobalStep = _position.GlobalStep + 1 };
                var (lr, wd) = HyperParameters;
                _observer.OnStepCompleted(new StepMetrics(_position.Phase, _position.GlobalEpoch, _position.Step, steps,
                    _position.TrainLoss / Math.Max(1, _position.TrainCount), _position.TrainCorrect / Math.Max(1.0, _position.TrainCount), lr, wd,
                    stepWatch.Elapsed.TotalSeconds, wait));
                if (_position.Step < steps)
                {
                    var every = _options.Train.CheckpointSteps;
                    if (cancel.IsCancellationRequested || (every > 0 && _position.Step % every == 0))
                    {
                        _position = _position with { EpochSeconds = _position.EpochSeconds + watch.Elapsed.TotalSeconds };
                        watch.Restart();
                        checkpoint(this);
                        cancel.ThrowIfCancellationRequested();
                    }
                }
                stepWatch.Restart();
            }
        }
        _position = _position with { EpochSeconds = _position.EpochSeconds + watch.Elapsed.TotalSeconds };
        EndEpoch(search, epochCompleted);
        checkpoint(this);
    }

    /// <summary>One training step in the method's order (dha-method §3.3).</summary>
    private void Step(Batch batch, Batch? validation, bool search)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(Seeds.For(_options.Seed, "step", _position.GlobalStep)); // drop-path masks
        if (_policy is not null && _options.Da.Sampling == "step")
        {
            _augmentation.Current = _policy.SampleMatrix(Seeds.Random(_options.Seed, "gumbel", _position.GlobalStep));
        }

        _network.train();
        var architecture = Architecture(search);
        var (logits, aux) = _network.forward(batch.Images, architecture);
        var perSample = nn.functional.cross_entropy(logits, batch.Labels, reduction: nn.Reduction.None);
        if (aux is not null)
        {
            perSample = perSample + _options.Network.AuxWeight * nn.functional.cross_entropy(aux, batch.Labels, reduction: nn.Reduction.None);
        }

        // θ first, from the detached per-sample losses of the augmented batch
        if (_policy is not null && batch.OpPairs is not null)
        {
            _policy.Update(perSample.detach(), batch.OpPairs);
        }

        _network.zero_grad();
        _encoder.ZeroGrad();
        var loss = perSample.mean();
        loss.backward();
        if (search)
        {
            _encoder.Step();
        }
        var (learningRate, weightDecay) = HyperParameters;
        _weights.Step(learningRate, weightDecay);

        var correct = logits.argmax(1).eq(batch.Labels).sum().ToInt64();
        _position = _position with
        {
            TrainLoss = _position.TrainLoss + loss.ToDouble() * batch.Size,
            TrainCorrect = _position.TrainCorrect + correct,
            TrainCount = _position.TrainCount + batch.Size,
        };

        if (validation is not null)
        {
            // the hypergradient of the validation loss at w' (train mode, no aux term: dha-method §3.3 steps 7-8)
            _network.zero_grad();
            var (validationLogits, _) = _network.forward(validation.Images, Architecture(search));
            var validationLoss = nn.functional.cross_entropy(validationLogits, validation.Labels);
            validationLoss.backward();
            var (dLearningRate, dWeightDecay) = _weights.Hypergradient(learningRate);
            _hyper.Step(dLearningRate, dWeightDecay);
        }
    }

    /// <summary>Phase A: α(z), differentiable in the unfrozen codes. Phase B: the same values as constants.</summary>
    private Nas.Architecture Architecture(bool search)
    {
        if (search)
        {
            return _encoder.Project();
        }
        using (no_grad())
        {
            return _encoder.Project();
        }
    }

    private void StartEpoch(bool search)
    {
        _position = _position with { TrainLoss = 0, TrainCorrect = 0, TrainCount = 0, EpochSeconds = 0 };
        if (search)
        {
            // "pretrain": newly frozen nodes stop their z and let their mixed-op BN affine train (dha-method §4.5)
            foreach (var (type, node) in _encoder.BeginEpoch())
            {
                _network.UnfreezeNodeAffine(type, node);
                _observer.OnMessage($"node {node} of the {type.ToString().ToLowerInvariant()} cell froze");
            }
        }
        if (_policy is not null && _options.Da.Sampling == "epoch")
        {
            _augmentation.Current = _policy.SampleMatrix(Seeds.Random(_options.Seed, "gumbel-epoch", _position.GlobalEpoch));
        }
    }

    /// <summary>Settings that follow from the phase and epoch alone; applied at every epoch start, so also after a resume.</summary>
    private void ApplyPhaseSettings()
    {
        var search = _position.Phase == SearchPhase.Search;
        _augmentation.Magnitude = search ? _options.Da.Magnitude : _options.Da.MagnitudeTune;
        if (_policy is not null)
        {
            _policy.LearningRate = search ? _options.Da.LearningRate : _options.Da.LearningRateTune;
        }
        _hyper.HyperLearningRate = search ? _options.Hpo.HyperLearningRate : _options.Hpo.HyperLearningRateTune;
        // drop-path ramps linearly over phase B (dha-method §4.2); none while searching
        _network.DropPathProbability = search ? 0 : _options.Network.DropPath * _position.Epoch / Math.Max(1, _options.Train.RetrainEpochs);
    }

    private void EndEpoch(bool search, Action<EpochMetrics> epochCompleted)
    {
        var searchEnds = false;
        if (search)
        {
            if (_encoder.StopFlag)
            {
                searchEnds = true; // every node was frozen when this epoch began: postrain skips recovery
            }
            else if (_position.Epoch + 1 >= _options.Train.SearchEpochs)
            {
                // The epoch cap ends the search. No recovery after the last epoch: the architecture kept is the
                // one these weights were trained with, and the genotype reports exactly that.
                searchEnds = true;
            }
            else
            {
                _encoder.EndEpoch();
            }
        }

        var validation = EvaluateSearchNetwork(_splits.Validation);
        double? test = _options.Train.TestEveryEpoch ? EvaluateSearchNetwork(_splits.Test).Accuracy : null;
        var (lr, wd) = HyperParameters;
        var metrics = new EpochMetrics(
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
            _position.EpochSeconds);
        epochCompleted(metrics);
        _observer.OnEpochCompleted(metrics);

        _position = _position with { Epoch = _position.Epoch + 1, GlobalEpoch = _position.GlobalEpoch + 1, Step = 0 };
        if (search && searchEnds)
        {
            SwitchToTraining();
        }
    }

    /// <summary>The phase switch (dha-method §3.2): architecture fixed from the last accepted x, η and λ restarted.</summary>
    private void SwitchToTraining()
    {
        // freeze what froze in the last recovery; x (and so the support) is that of the last search epoch
        _encoder.BeginEpoch();
        UnfreezeAllAffine();
        if (_options.Hpo.Restart)
        {
            _hyper.Restart();
        }
        _position = _position with { Phase = SearchPhase.Train, Epoch = 0 };
        _observer.OnPhaseChanged(SearchPhase.Train);
    }

    private void UnfreezeAllAffine()
    {
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            for (var node = 0; node < 4; node++)
            {
                _network.UnfreezeNodeAffine(type, node);
            }
        }
    }

    private Evaluation EvaluateSearchNetwork(ImageDataset data)
    {
        _network.eval();
        try
        {
            return Evaluator.Evaluate(images => _network.forward(images, Architecture(search: false)).Logits, data, _mean, _std, _options.Data.BatchSize);
        }
        finally
        {
            _network.train();
        }
    }

    /// <summary>The deployable network: the genotype network with the op scalars folded into BN.</summary>
    public FixedNetwork ExportNetwork()
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var architecture = _encoder.Project();
            var network = FixedNetwork.FromSearch(_network, architecture, _encoder.Genotype);
            network.eval();
            return network;
        }
    }

    public Genotype Genotype => _encoder.Genotype;

    public double[]? PolicyProbabilities => _policy?.Probabilities();

    public double[]? PolicyTheta => _policy?.Theta();

    public double? PolicyEntropy => _policy?.Entropy();

    public const int StateVersion = 1;

    /// <summary>Everything needed to continue exactly where the trainer stands.</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write("dha-trainer");
        writer.Write(StateVersion);
        _position.Write(writer);
        var pending = _augmentation.Pending;
        writer.Write(pending.Count);
        foreach (var m in pending)
        {
            WriteMatrix(writer, m);
        }
        WriteMatrix(writer, _augmentation.Current);
        _network.save(writer);
        _encoder.Save(writer);
        writer.Write(_policy is not null);
        _policy?.Save(writer);
        _weights.Save(writer);
        _hyper.Save(writer);
    }

    public void LoadState(BinaryReader reader, string source)
    {
        if (reader.ReadString() != "dha-trainer")
        {
            throw new InvalidInputException($"{source}: not a dha checkpoint");
        }
        var version = reader.ReadInt32();
        if (version != StateVersion)
        {
            throw new InvalidInputException($"{source}: checkpoint version {version} is not supported (expected {StateVersion})");
        }
        _position = TrainerPosition.Read(reader);
        var pendingCount = reader.ReadInt32();
        var pending = new List<double[]?>();
        for (var i = 0; i < pendingCount; i++)
        {
            pending.Add(ReadMatrix(reader));
        }
        _augmentation.Current = ReadMatrix(reader);
        _augmentation.Replay(pending);
        _network.load(reader);
        _encoder.Load(reader);
        var hasPolicy = reader.ReadBoolean();
        if (hasPolicy != (_policy is not null))
        {
            throw new InvalidInputException($"{source}: the checkpoint was written in another mode");
        }
        _policy?.Load(reader);
        _weights.Load(reader);
        _hyper.Load(reader);

        // requires_grad flags are not part of the weights: re-derive them from the encoder's freeze state
        if (_position.Phase == SearchPhase.Train)
        {
            UnfreezeAllAffine();
        }
        else
        {
            foreach (var type in new[] { CellType.Normal, CellType.Reduce })
            {
                for (var node = 0; node < 4; node++)
                {
                    if (_encoder.IsFrozen(type, node))
                    {
                        _network.UnfreezeNodeAffine(type, node);
                    }
                }
            }
        }
    }

    private static void WriteMatrix(BinaryWriter writer, double[]? matrix)
    {
        writer.Write(matrix?.Length ?? -1);
        foreach (var v in matrix ?? [])
        {
            writer.Write(v);
        }
    }

    private static double[]? ReadMatrix(BinaryReader reader)
    {
        var n = reader.ReadInt32();
        if (n < 0)
        {
            return null;
        }
        var m = new double[n];
        for (var i = 0; i < n; i++)
        {
            m[i] = reader.ReadDouble();
        }
        return m;
    }

    private static (float[] Mean, float[] Std) Normalisation(DataOptions data, ImageDataset train)
    {
        var (mean, std) = train.ChannelStatistics();
        if (data.Mean is { } m)
        {
            if (m.Length != train.Channels)
            {
                throw new InvalidInputException($"data.mean: {m.Length} values given, but the images have {train.Channels} channel(s)");
            }
            mean = m;
        }
        if (data.Std is { } s)
        {
            if (s.Length != train.Channels)
            {
                throw new InvalidInputException($"data.std: {s.Length} values given, but the images have {train.Channels} channel(s)");
            }
            std = s;
        }
        return (mean, std);
    }

    public void Dispose()
    {
        _weights.Dispose();
        _policy?.Dispose();
        _encoder.Dispose();
        _network.Dispose();
        _splits.Dispose();
        _loaded.Dispose();
    }

    private sealed class NullObserver : ISearchObserver;
}

/// <summary>Where a run stands, and the running sums of the epoch in progress.</summary>
public sealed record TrainerPosition
{
    public SearchPhase Phase { get; init; } = SearchPhase.Search;

    /// <summary>Epoch within the phase.</summary>
    public int Epoch { get; init; }

    /// <summary>Epoch counted over both phases (metrics.jsonl numbering, loader seeds).</summary>
    public int GlobalEpoch { get; init; }

    /// <summary>Steps done in the current epoch.</summary>
    public int Step { get; init; }

    public long GlobalStep { get; init; }
    public double TrainLoss { get; init; }
    public double TrainCorrect { get; init; }
    public long TrainCount { get; init; }
    public double EpochSeconds { get; init; }

    internal void Write(BinaryWriter writer)
    {
        writer.Write((int)Phase);
        writer.Write(Epoch);
        writer.Write(GlobalEpoch);
        writer.Write(Step);
        writer.Write(GlobalStep);
        writer.Write(TrainLoss);
        writer.Write(TrainCorrect);
        writer.Write(TrainCount);
        writer.Write(EpochSeconds);
    }

    internal static TrainerPosition Read(BinaryReader reader) => new()
    {
        Phase = (SearchPhase)reader.ReadInt32(),
        Epoch = reader.ReadInt32(),
        GlobalEpoch = reader.ReadInt32(),
        Step = reader.ReadInt32(),
        GlobalStep = reader.ReadInt64(),
        TrainLoss = reader.ReadDouble(),
        TrainCorrect = reader.ReadDouble(),
        TrainCount = reader.ReadInt64(),
        EpochSeconds = reader.ReadDouble(),
    };
}
