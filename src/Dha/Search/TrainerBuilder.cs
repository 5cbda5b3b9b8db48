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
public static class TrainerBuilder
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
        var splits = DatasetSplits.Create(train, test, options.Data.ValRatio, options.Data.HeldOutValidation, options.Seed);
        try
        {
            return Build(options, splits, dataset, ownsSplits: true);
        }
        catch
        {
            splits.Dispose();
            throw;
        }
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
        // the run's own thread count; the process-wide workarounds are the host's (Runtime.DhaRuntime.Configure)
        torch.set_num_threads(options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
        var normalisation = InputNormalisation.Of(options.Data, splits.Train);
        var (mean, std) = (normalisation.Mean, normalisation.Std);

        torch.manual_seed(options.Seed);
        var train = splits.Train;
        var network = new SearchNetwork(new NetworkShape(train.Channels, train.Height, options.Network.Channels, options.Network.Layers, train.ClassCount, options.Network.Auxiliary));
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
                WeightDecay: arch.WeightDecay),
            options.Seed);

        var da = options.Da;
        var policy = options.Mode.LearnsPolicy() ? new OpPairPolicy(da.LearningRate, temperature: da.Temperature, estimator: da.Estimator) : null;
        var augmenter = new BatchAugmenter(new AugmentSettings(
            mean, std, options.Data.CutoutSize, options.Data.HorizontalFlip, UsePolicy: policy is not null, da.LevelMap))
        {
            Magnitude = da.Magnitude,
        };
        var augmentation = new ScheduledAugmentation(augmenter);

        var batch = options.Data.BatchSize;
        var trainLoader = new BatchLoader(train, batch, options.Seed, "train", shuffle: true, mean, std, augmentation) { SafePoints = true };
        var validationBatch = options.Hpo.ValidationBatchSize > 0 ? options.Hpo.ValidationBatchSize : batch;
        var validationLoader = new BatchLoader(splits.Validation, validationBatch, options.Seed, "validation", shuffle: true, mean, std);

        var weights = new HyperSgd([.. network.parameters()], options.Train.Momentum, options.Train.GradClip);
        var hpo = options.Hpo;
        var hyper = new HyperLearner(
            new HyperRange(hpo.LearningRateLow, hpo.LearningRateHigh),
            new HyperRange(hpo.WeightDecayLow, hpo.WeightDecayHigh),
            hpo.HyperLearningRate);
        return new DhaTrainer(options, splits, dataset, normalisation, network, encoder, policy, augmentation, trainLoader, validationLoader,
            weights, hyper, ownsSplits ? splits : null);
    }
}
