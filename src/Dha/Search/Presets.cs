using Dha.Augment;

namespace Dha.Search;

/// <summary>
/// Named starting points. <c>small</c>, the default, is <c>new SearchOptions()</c>: a budget of 785 steps (on the
/// shipped Fashion-MNIST subset, five epochs over 10,000 images) in about four minutes on two cores, on any dataset,
/// with the learned η under a cosine envelope over phase B (measured there: 88.60 % test accuracy, 86.65 % without).
/// A run this short gains nothing from the
/// regularisers that a 1,200-epoch run needs (cutout, drop-path, magnitude 10 after the switch): measured on the
/// shipped data they cost 2-3 points of test accuracy there, so they are off. Its policy and hyper-learner learn within
/// the run: the score-function policy gradient, rates stated per 1,000-step run and scaled to the run's length
/// (<see cref="RunLengthRates"/>), validation batches of 16 (64 were slower and less accurate there). Its step budget
/// is stated for 28-pixel images and shrinks with the pixels of larger ones (<see cref="TrainOptions.BudgetImageSide"/>). The <c>paper-*</c> presets carry the
/// values of dha-method §8, sized by their epochs and with η as learned (CIFAR-100's shipped DHA config, the derived CIFAR-10 one, Flowers102 with the missing
/// keys decided as §10 #1 says).
/// </summary>
public static class Presets
{
    /// <summary>The preset names, <c>small</c> first.</summary>
    public static IEnumerable<string> Names => ["small", "paper-cifar10", "paper-cifar100", "paper-flowers102"];

    /// <summary>The options of a preset; an unknown name throws <see cref="InvalidInputException"/> listing the names.</summary>
    public static SearchOptions Get(string name) => name switch
    {
        "small" => new SearchOptions(),
        "paper-cifar100" or "paper-cifar10" => Paper with { Preset = name },
        "paper-flowers102" => Paper with
        {
            Preset = name,
            Data = Paper.Data with { ImageSize = 224, Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f], CutoutSize = 112 },
            Architecture = Paper.Architecture with { DistLimit = 1e-4, ParamLimit = 6.0 },
            Hpo = Paper.Hpo with { HyperLearningRate = 5e-8, HyperLearningRateTune = 5e-7, LearningRateLow = 1e-5 },
            Da = Paper.Da with { LearningRate = 0.005, LearningRateTune = 0.05 },
        },
        _ => throw new InvalidInputException($"--preset {name}: unknown preset; use one of {string.Join(", ", Names)}"),
    };

    /// <summary>
    /// The method's values (dha-method §8). The CIFAR configs normalise with the CIFAR-10 statistics, CIFAR-100's
    /// included (dha-method §10 #13).
    /// </summary>
    private static SearchOptions Paper => new()
    {
        Threads = 0,
        Data = new DataOptions
        {
            ValRatio = 0.02,
            MaxImageSize = 0,
            BatchSize = 96,
            CutoutSize = 16,
            Mean = [0.49139968f, 0.48215827f, 0.44653124f],
            Std = [0.24703233f, 0.24348505f, 0.26158768f],
        },
        Train = new TrainOptions { Steps = 0, BudgetImageSide = 0, SearchEpochs = 600, RetrainEpochs = 600 },
        Network = new NetworkOptions { Channels = 36, Layers = 20, DropPath = 0.2 },
        Hpo = new HpoOptions { HyperLearningRate = 1e-8, HyperLearningRateTune = 1e-6, RateRunSteps = 0, ValidationBatchSize = 0, Envelope = HpoEnvelope.None },
        Da = new DaOptions
        {
            LearningRate = 0.02,
            LearningRateTune = 0.05,
            RateRunSteps = 0,
            Estimator = PolicyEstimator.Reference,
            MagnitudeTune = 10,
        },
    };
}
