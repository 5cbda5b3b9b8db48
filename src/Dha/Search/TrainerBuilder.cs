using Dha.Augment;
using Dha.Data;
using Dha.Hpo;
using Dha.Nas;
using TorchSharp;

namespace Dha.Search;

/// <summary>
/// The composition root of a search: from in-memory datasets and the options it builds the learners (search network,
/// ISTA encoder, augmentation policy, weight optimiser, hyper-parameter learner), the augmentation and the loaders,
/// and hands them to a <see cref="DhaTrainer"/>. Reading a dataset from disk is the caller's job
/// (<see cref="DatasetLocator"/>; <see cref="SearchRun"/> does it), so a search runs on any <see cref="ImageDataset"/>.
/// </summary>
internal static class TrainerBuilder
{
    /// <summary>A trainer on the splits of <paramref name="train"/> and <paramref name="test"/> the options ask for; it owns those splits, the caller keeps the datasets.</summary>
    /// <param name="options">The run's options (validated here).</param>
    /// <param name="train">The official training set.</param>
    /// <param name="test">The official test set.</param>
    /// <param name="dataset">What the data is called in reports (a path or a name).</param>
    public static DhaTrainer Build(SearchOptions options, ImageDataset train, ImageDataset test, string dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return OnOwnSplits(options, train, test, splits => Build(options, splits, dataset, ownsSplits: true));
    }

    /// <summary>
    /// Builds a trainer with <paramref name="build"/> on the splits of <paramref name="train"/> and <paramref name="test"/>
    /// that <paramref name="options"/> ask for; the trainer owns them, and they are disposed if the build throws.
    /// </summary>
    internal static T OnOwnSplits<T>(SearchOptions options, ImageDataset train, ImageDataset test, Func<DatasetSplits, T> build)
    {
        var splits = DatasetSplits.Create(train, test, options.Data.ValRatio, options.Data.HeldOutValidation, options.Seed);
        try
        {
            return build(splits);
        }
        catch
        {
            splits.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What every trainer does before it builds its network: the run's threads, the input normalisation from the
    /// training split, and torch's global generator seeded for the weight initialisation.
    /// </summary>
    internal static InputNormalisation Prepare(SearchOptions options, DatasetSplits splits)
    {
        UseThreads(options);
        var normalisation = InputNormalisation.Of(options.Data, splits.Train);
        torch.manual_seed(options.Seed);
        return normalisation;
    }

    /// <summary>A trainer on splits made by the caller, who keeps them and disposes them after the trainer.</summary>
    /// <param name="options">The run's options (validated here; the split settings in <c>data</c> are not used).</param>
    /// <param name="splits">Training, validation and test sets.</param>
    /// <param name="dataset">What the data is called in reports (a path or a name).</param>
    public static DhaTrainer Build(SearchOptions options, DatasetSplits splits, string dataset)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Build(options, splits, dataset, ownsSplits: false);
    }

    private static DhaTrainer Build(SearchOptions options, DatasetSplits splits, string dataset, bool ownsSplits)
    {
        ArgumentNullException.ThrowIfNull(splits);
        var normalisation = Prepare(options, splits);
        var (mean, std) = (normalisation.Mean, normalisation.Std);
        var train = splits.Train;
        var shape = new NetworkShape(train.Channels, train.Height, options.Network.Channels, options.Network.Layers, train.ClassCount, options.Network.Auxiliary);
        NetworkMemory.Check(NetworkMemory.SearchTrainingBytes(shape, options.Data.BatchSize), MemoryWhat(options, shape, "search network"), MemoryFix);
        var network = new SearchNetwork(shape, options.Network.PoolExtraBn);
        var arch = options.Architecture;
        var encoder = new IstaEncoder(
            new IstaSettings(
                ProjectionDims: arch.ProjectionDims,
                DistLimit: arch.DistLimit,
                LassoAlpha: arch.LassoAlpha,
                FitIntercept: arch.FitIntercept,
                Rule: arch.SupportRule,
                NormaliseScalars: arch.NormaliseScalars,
                ParamLimitMillions: arch.ParamLimit,
                LearningRate: arch.LearningRate,
                WeightDecay: arch.WeightDecay,
                FrozenCodeDrift: arch.FrozenCodeDrift),
            options.Seed);

        var da = options.Da;
        var policy = options.Mode.LearnsPolicy() ? new OpPairPolicy(da.LearningRate, temperature: da.Temperature, estimator: da.Estimator) : null;
        // a two-stage search learns no policy: its batches are the plain pipeline's until the retraining
        var augmentation = new ScheduledAugmentation(Augmenter(options, normalisation, train.Height, usePolicy: policy is not null),
            policy is not null && options.Mode.IsTwoStage() ? Augmenter(options, normalisation, train.Height, usePolicy: false) : null);

        var trainLoader = TrainLoader(options, train, normalisation, augmentation);
        var validationBatch = options.Hpo.ValidationBatchSize > 0 ? options.Hpo.ValidationBatchSize : options.Data.BatchSize;
        var validationLoader = new BatchLoader(splits.Validation, validationBatch, options.Seed, "validation", shuffle: true, mean, std, ValidationTransform(options, normalisation));

        var weights = WeightOptimiser(options, network);
        var hpo = options.Hpo;
        var hyper = new HyperLearner(
            new HyperRange(hpo.LearningRateLow, hpo.LearningRateHigh),
            new HyperRange(hpo.WeightDecayLow, hpo.WeightDecayHigh),
            hpo.HyperLearningRate);
        return new DhaTrainer(options, splits, dataset, normalisation, network, encoder, policy, augmentation, trainLoader, validationLoader,
            weights, hyper, ownsSplits ? splits : null);
    }

    /// <summary>The run's own thread count; the process-wide workarounds are the host's (Runtime.DhaRuntime.Configure).</summary>
    internal static void UseThreads(SearchOptions options) => torch.set_num_threads(IntraOpThreads(options));

    /// <summary>libtorch's intra-op threads of the run (of each data-parallel part): <c>threads</c>, 0 = one per core.</summary>
    internal static int IntraOpThreads(SearchOptions options) => options.Threads > 0 ? options.Threads : Environment.ProcessorCount;

    /// <summary>
    /// The augmentation of the training batches: crop (padding by mode, <see cref="DataOptions.CropPaddingFor"/>),
    /// flip, the op pairs when <paramref name="usePolicy"/>, normalisation, cutout.
    /// </summary>
    internal static BatchAugmenter Augmenter(SearchOptions options, InputNormalisation normalisation, int imageSide, bool usePolicy)
    {
        var data = options.Data;
        return new BatchAugmenter(new AugmentSettings(
            normalisation.Mean, normalisation.Std, data.CutoutSize, data.HorizontalFlip, usePolicy, options.Da.LevelMap,
            data.CropPaddingFor(usePolicy, imageSide), options.Da.Resampling))
        {
            Magnitude = options.Da.Magnitude,
        };
    }

    /// <summary>
    /// Cutout on the hypergradient's validation batches when <see cref="DataOptions.ValidationCutout"/> asks for the
    /// reference (its validation images share the training transform's Cutout); null = normalisation only.
    /// </summary>
    internal static AugmentedImages? ValidationTransform(SearchOptions options, InputNormalisation normalisation) =>
        options.Data.ValidationCutout && options.Data.CutoutSize > 0
            ? new AugmentedImages(new BatchAugmenter(new AugmentSettings(normalisation.Mean, normalisation.Std, options.Data.CutoutSize, HorizontalFlip: false, UsePolicy: false)))
            : null;

    /// <summary>The shuffled, augmented training batches; each batch is also a GC safe point (it paces the loop).</summary>
    internal static BatchLoader TrainLoader(SearchOptions options, ImageDataset train, InputNormalisation normalisation, IBatchTransform augmentation) =>
        new(train, options.Data.BatchSize, options.Seed, "train", shuffle: true, normalisation.Mean, normalisation.Std, augmentation) { SafePoints = true };

    /// <summary>Momentum SGD with gradient clipping over every weight of <paramref name="network"/>.</summary>
    internal static HyperSgd WeightOptimiser(SearchOptions options, torch.nn.Module network) =>
        new([.. network.parameters()], options.Train.Momentum, options.Train.GradClip, options.Train.DecayInactiveOps, options.Hpo.AliasedWeightDecayGradient);

    /// <summary>The options a memory estimate of the network depends on, for its message.</summary>
    internal static string MemoryWhat(SearchOptions options, NetworkShape shape, string network) =>
        $"network.channels={options.Network.Channels}, network.layers={options.Network.Layers}, data.batch_size={options.Data.BatchSize}: training the {network} on {shape.ImageSize}x{shape.ImageSize} images";

    internal const string MemoryFix = "lower network.channels, network.layers, data.batch_size or the image size";
}
