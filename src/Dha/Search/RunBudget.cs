namespace Dha.Search;

/// <summary>
/// How long a run is, in the units the trainer works in: epochs per phase and steps per epoch. A run is sized either
/// by its epochs (<c>train.steps</c> = 0: an epoch is one pass over the training split, the counts are
/// <c>train.search_epochs</c> and <c>train.retrain_epochs</c>) or by a step budget (<see cref="ForSteps"/>). Epochs
/// stay the rhythm of recovery, freezing, checkpoints and metrics in both cases.
/// </summary>
/// <param name="SearchEpochs">Phase A epochs (a cap: the search also ends when every node froze).</param>
/// <param name="RetrainEpochs">Phase B epochs.</param>
/// <param name="StepsPerEpoch">Steps of every epoch of both phases.</param>
/// <param name="FromSteps">Whether a step budget set the counts (then search epochs left unused go to phase B).</param>
internal sealed record RunBudget(int SearchEpochs, int RetrainEpochs, int StepsPerEpoch, bool FromSteps)
{
    /// <summary>Significant digits a time budget's step count is rounded down to, so that machine drift rarely changes it.</summary>
    public const int TimeBudgetDigits = 2;

    /// <summary>Steps of the whole run when the search runs to its epoch cap.</summary>
    public long TotalSteps => (long)(SearchEpochs + RetrainEpochs) * StepsPerEpoch;

    /// <summary>The budget of a run with these options on a training split of <paramref name="passSteps"/> batches.</summary>
    public static RunBudget Of(TrainOptions train, int passSteps)
    {
        ArgumentNullException.ThrowIfNull(train);
        return train.Steps > 0
            ? ForSteps(train.Steps, train.SearchFraction, passSteps)
            : new RunBudget(train.SearchEpochs, train.RetrainEpochs, passSteps, FromSteps: false);
    }

    /// <summary>
    /// A step budget cut into epochs. Phase A gets <c>round(steps · fraction)</c> steps (at least 1), phase B the
    /// rest. An epoch is one pass over the training split (<paramref name="passSteps"/> batches) unless that would give
    /// a phase fewer than 2 epochs; then it is the largest chunk of steps that gives every phase with steps at least 2
    /// (the loader carries its seeded permutation on across chunks). Each phase's steps are then rounded to whole
    /// epochs, so the run's length is the budget to within half an epoch per phase.
    /// </summary>
    /// <param name="steps">Optimisation steps over both phases (positive).</param>
    /// <param name="searchFraction">Share of the steps spent in phase A, in (0, 1].</param>
    /// <param name="passSteps">Batches in one pass over the training split (positive).</param>
    public static RunBudget ForSteps(long steps, double searchFraction, int passSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(passSteps);
        if (!(searchFraction > 0 && searchFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(searchFraction), searchFraction, "The search fraction must be in (0, 1].");
        }
        var searchSteps = Math.Clamp((long)Math.Round(steps * searchFraction, MidpointRounding.AwayFromZero), 1, steps);
        var retrainSteps = steps - searchSteps;
        var chunk = Math.Min(searchSteps / 2, retrainSteps > 0 ? retrainSteps / 2 : long.MaxValue);
        var stepsPerEpoch = (int)Math.Clamp(chunk, 1, passSteps);
        return new RunBudget(
            (int)Math.Max(1, WholeEpochs(searchSteps, stepsPerEpoch)),
            (int)(retrainSteps > 0 ? Math.Max(1, WholeEpochs(retrainSteps, stepsPerEpoch)) : 0),
            stepsPerEpoch,
            FromSteps: true);
    }

    /// <summary>
    /// The options of a run on images of <paramref name="height"/> × <paramref name="width"/>: a step budget stated for
    /// a smaller side (<see cref="TrainOptions.BudgetImageSide"/>) becomes <c>round(steps · side² / (H · W))</c> steps
    /// (at least 2), so that a run on larger images takes about the same time, and the side is cleared so that the
    /// saved options are not scaled again on resume. Images no larger than the side, epoch-sized runs and time budgets
    /// (which measure the real speed) are left as they are.
    /// </summary>
    public static TrainOptions ScaledForImages(TrainOptions train, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(train);
        var pixels = (long)height * width;
        var side = (long)train.BudgetImageSide;
        if (train.Steps == 0 || train.TimeBudget > 0 || side == 0 || pixels <= side * side)
        {
            return train;
        }
        var steps = Math.Max(2, (long)Math.Round((double)train.Steps * side * side / pixels, MidpointRounding.AwayFromZero));
        return train with { Steps = steps, BudgetImageSide = 0 };
    }

    /// <summary>
    /// The step count a time budget buys: the seconds divided by the cost of an average step (phase A steps weighted
    /// by the search fraction), rounded down to <see cref="TimeBudgetDigits"/> significant digits, and at least 2.
    /// </summary>
    /// <param name="seconds">The time budget for the steps (positive).</param>
    /// <param name="speed">The measured seconds per step of each phase.</param>
    /// <param name="searchFraction">Share of the steps spent in phase A.</param>
    public static long StepsForTime(double seconds, StepSpeed speed, double searchFraction)
    {
        ArgumentNullException.ThrowIfNull(speed);
        if (!(seconds > 0) || !double.IsFinite(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "The time budget must be a positive number of seconds.");
        }
        if (!(speed.SearchSeconds > 0 && speed.TrainSeconds > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "Step times must be positive.");
        }
        var perStep = searchFraction * speed.SearchSeconds + (1 - searchFraction) * speed.TrainSeconds;
        return Math.Max(2, RoundDown(seconds / perStep, TimeBudgetDigits));
    }

    /// <summary><paramref name="value"/> rounded down to <paramref name="digits"/> significant digits (1234.5 → 1200).</summary>
    internal static long RoundDown(double value, int digits)
    {
        var whole = (long)Math.Floor(value);
        if (whole <= 0)
        {
            return 0;
        }
        long unit = 1;
        for (var limit = (long)Math.Pow(10, digits); whole / unit >= limit; unit *= 10)
        {
        }
        return whole / unit * unit;
    }

    private static long WholeEpochs(long steps, int stepsPerEpoch) => (steps + stepsPerEpoch / 2) / stepsPerEpoch;
}

/// <summary>Measured seconds per training step of each phase (a phase A step also steps the architecture code).</summary>
/// <param name="SearchSeconds">Seconds per phase A step.</param>
/// <param name="TrainSeconds">Seconds per phase B step.</param>
internal sealed record StepSpeed(double SearchSeconds, double TrainSeconds);
