using Dha.Search;

namespace Dha.Tests.Search;

public class LearningRateScheduleTests
{
    private static readonly TrainOptions Train = new() { LearningRate = 0.025, LearningRateMin = 0.001 };
    private const int StepsPerEpoch = 10;

    [Fact]
    public void The_fixed_rate_is_constant_while_searching_and_anneals_by_cosine_over_phase_b()
    {
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Search, 0, 100, StepsPerEpoch));
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Search, 99, 100, StepsPerEpoch));
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 0, 471, StepsPerEpoch), 15);
        // halfway: the mean of start and floor; a quarter: floor + (start - floor)(1 + cos(π/4))/2
        Assert.Equal(0.013, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 50, 100, StepsPerEpoch), 15);
        Assert.Equal(0.001 + 0.024 * (1 + Math.Sqrt(0.5)) / 2, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 25, 100, StepsPerEpoch), 15);
        Assert.Equal(0.001, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 471, 471, StepsPerEpoch), 15);
        // learning_rate_min = learning_rate: the constant rate of before
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train with { LearningRateMin = 0.025 }, SearchPhase.Train, 30, 100, StepsPerEpoch), 15);
    }

    [Fact]
    public void The_cosine_envelope_goes_from_1_to_its_floor_over_phase_b_only()
    {
        var cosine = new HpoOptions { Envelope = HpoEnvelope.Cosine, EnvelopeFloor = 0.02 };
        Assert.Equal(1, LearningRateSchedule.Envelope(cosine, SearchPhase.Search, 300, 314));
        Assert.Equal(1, LearningRateSchedule.Envelope(cosine, SearchPhase.Train, 0, 471), 15);
        Assert.Equal(0.51, LearningRateSchedule.Envelope(cosine, SearchPhase.Train, 200, 400), 15);
        Assert.Equal(0.02, LearningRateSchedule.Envelope(cosine, SearchPhase.Train, 471, 471), 15);
        Assert.Equal(1, LearningRateSchedule.Envelope(cosine with { Envelope = HpoEnvelope.None }, SearchPhase.Train, 200, 400));
    }

    [Fact]
    public void The_step_schedule_is_StepLR_over_phase_b_epochs_lr_times_gamma_to_the_floor_of_epoch_over_period()
    {
        var step = Train with { Schedule = LearningRateDecay.Step, DecayPeriod = 2, DecayGamma = 0.5 };
        // phase A keeps the rate
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(step, SearchPhase.Search, 95, 100, StepsPerEpoch));
        // StepLR(step_size=2, gamma=0.5): epochs 0-1 at 0.025, 2-3 at 0.0125, 4-5 at 0.00625; an epoch is 10 steps
        double[] byEpoch = [0.025, 0.025, 0.0125, 0.0125, 0.00625, 0.00625, 0.003125];
        for (var epoch = 0; epoch < byEpoch.Length; epoch++)
        {
            Assert.Equal(byEpoch[epoch], LearningRateSchedule.FixedRate(step, SearchPhase.Train, epoch * StepsPerEpoch, 100, StepsPerEpoch), 15);
            Assert.Equal(byEpoch[epoch], LearningRateSchedule.FixedRate(step, SearchPhase.Train, epoch * StepsPerEpoch + 9, 100, StepsPerEpoch), 15);
        }
        // the reference's ImageNet values: 0.97 every epoch, with no floor
        var imagenet = Train with { Schedule = LearningRateDecay.Step, LearningRate = 0.1 };
        Assert.Equal(0.1 * Math.Pow(0.97, 249), LearningRateSchedule.FixedRate(imagenet, SearchPhase.Train, 2495, 2500, StepsPerEpoch), 15);
    }
}
