using Dha.Search;

namespace Dha.Tests.Search;

public class RunBudgetTests
{
    [Fact]
    public void Without_a_step_budget_the_epochs_are_the_options_and_an_epoch_is_one_pass()
    {
        var budget = RunBudget.Of(new TrainOptions { Steps = 0, SearchEpochs = 4, RetrainEpochs = 7 }, passSteps: 157);

        Assert.Equal(new RunBudget(4, 7, 157, FromSteps: false), budget);
    }

    [Theory]
    // the small preset on the shipped data: 314 + 471 steps are 2 + 3 passes of 157
    [InlineData(785, 0.4, 157, 2, 3, 157)]
    // 60,000 images: a pass (938) is longer than a phase; an epoch becomes the chunk that gives phase A 2 epochs
    [InlineData(785, 0.4, 938, 2, 3, 157)]
    // 512 images: an epoch stays one pass of 16; 314 / 16 = 19.6 -> 20 and 471 / 16 = 29.4 -> 29 epochs
    [InlineData(785, 0.4, 16, 20, 29, 16)]
    // 40 steps on passes of 16: 16 + 24 steps, chunks of 8 give 2 + 3 epochs
    [InlineData(40, 0.4, 16, 2, 3, 8)]
    // all steps searching: no phase B
    [InlineData(100, 1.0, 30, 3, 0, 30)]
    // a phase with 1 step cannot have 2 epochs: an epoch of 1 step
    [InlineData(3, 0.2, 16, 1, 2, 1)]
    public void A_step_budget_becomes_epochs_of_a_fixed_number_of_steps(long steps, double fraction, int pass, int search, int retrain, int perEpoch)
    {
        Assert.Equal(new RunBudget(search, retrain, perEpoch, FromSteps: true), RunBudget.ForSteps(steps, fraction, pass));
    }

    [Fact]
    public void Every_budget_keeps_an_epoch_within_a_pass_gives_each_phase_2_epochs_and_stays_within_half_an_epoch_per_phase()
    {
        foreach (var steps in new long[] { 4, 10, 97, 785, 1000, 4700, 20000 })
        {
            foreach (var fraction in new[] { 0.1, 0.4, 0.5, 0.9 })
            {
                foreach (var pass in new[] { 1, 7, 16, 157, 938, 5000 })
                {
                    var b = RunBudget.ForSteps(steps, fraction, pass);
                    var searchSteps = Math.Max(1, (long)Math.Round(steps * fraction, MidpointRounding.AwayFromZero));
                    var retrainSteps = steps - searchSteps;
                    var what = $"{steps} steps, fraction {fraction}, pass {pass}: {b}";
                    Assert.InRange(b.StepsPerEpoch, 1, pass);
                    Assert.True(b.SearchEpochs >= 2 || searchSteps < 2, what);
                    Assert.True(b.RetrainEpochs >= 2 || retrainSteps < 2, what);
                    Assert.InRange(b.SearchEpochs * (long)b.StepsPerEpoch - searchSteps, -b.StepsPerEpoch / 2, b.StepsPerEpoch / 2);
                    Assert.InRange(b.RetrainEpochs * (long)b.StepsPerEpoch - retrainSteps, -b.StepsPerEpoch / 2, b.StepsPerEpoch / 2);
                    // an epoch is a whole pass whenever the phases are long enough for two passes each
                    if (searchSteps >= 2 * pass && (retrainSteps == 0 || retrainSteps >= 2 * pass))
                    {
                        Assert.Equal(pass, b.StepsPerEpoch);
                    }
                }
            }
        }
    }

    [Fact]
    public void A_time_budget_buys_the_steps_an_average_step_allows_rounded_down_to_two_significant_digits()
    {
        // 240 s at 0.4 · 0.30 + 0.6 · 0.25 = 0.27 s per step: 888.9 steps -> 880
        Assert.Equal(880, RunBudget.StepsForTime(240, new StepSpeed(0.30, 0.25), 0.4));
        // an hour at 0.1 s: 36,000 steps exactly
        Assert.Equal(36000, RunBudget.StepsForTime(3600, new StepSpeed(0.1, 0.1), 0.5));
        // 10 % slower in both phases: 808 -> 800
        Assert.Equal(800, RunBudget.StepsForTime(240, new StepSpeed(0.33, 0.275), 0.4));
        // too little time for a step still runs one step per phase
        Assert.Equal(2, RunBudget.StepsForTime(1, new StepSpeed(5, 5), 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBudget.StepsForTime(0, new StepSpeed(1, 1), 0.4));
        Assert.Throws<ArgumentOutOfRangeException>(() => RunBudget.StepsForTime(60, new StepSpeed(0, 1), 0.4));
    }

    [Theory]
    [InlineData(1234.5, 1200)]
    [InlineData(99.9, 99)]
    [InlineData(100, 100)]
    [InlineData(7, 7)]
    [InlineData(0.5, 0)]
    [InlineData(987654, 980000)]
    public void Round_down_keeps_two_significant_digits(double value, long expected)
    {
        Assert.Equal(expected, RunBudget.RoundDown(value, 2));
    }

    [Theory]
    [InlineData(785, 28, 64, 64, 150)] // 785 · 784 / 4096 = 150.3
    [InlineData(785, 28, 32, 32, 601)] // 785 · 784 / 1024 = 601.0
    [InlineData(785, 28, 28, 28, 785)] // the stated side: unchanged
    [InlineData(785, 28, 32, 24, 785)] // fewer pixels than 28²: never more steps
    [InlineData(785, 0, 64, 64, 785)] // no stated side
    [InlineData(3, 28, 1024, 1024, 2)] // at least 2 steps
    public void A_step_budget_shrinks_with_the_pixels_of_images_larger_than_its_side(long steps, int side, int height, int width, long expected)
    {
        var train = new TrainOptions { Steps = steps, BudgetImageSide = side };

        var scaled = RunBudget.ScaledForImages(train, height, width);

        Assert.Equal(expected, scaled.Steps);
        Assert.Equal(expected == steps ? train : train with { Steps = expected, BudgetImageSide = 0 }, scaled);
    }

    [Fact]
    public void Epoch_sized_runs_and_time_budgets_are_not_scaled()
    {
        var epochs = new TrainOptions { Steps = 0 };
        var timed = new TrainOptions { TimeBudget = 60 };

        Assert.Same(epochs, RunBudget.ScaledForImages(epochs, 64, 64));
        Assert.Same(timed, RunBudget.ScaledForImages(timed, 64, 64));
    }
}
