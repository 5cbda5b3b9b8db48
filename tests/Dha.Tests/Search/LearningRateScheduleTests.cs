using Dha.Search;

namespace Dha.Tests.Search;

public class LearningRateScheduleTests
{
    private static readonly TrainOptions Train = new() { LearningRate = 0.025, LearningRateMin = 0.001 };

    [Fact]
    public void The_fixed_rate_is_constant_while_searching_and_anneals_by_cosine_over_phase_b()
    {
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Search, 0, 100));
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Search, 99, 100));
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 0, 471), 15);
        // halfway: the mean of start and floor; a quarter: floor + (start - floor)(1 + cos(π/4))/2
        Assert.Equal(0.013, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 50, 100), 15);
        Assert.Equal(0.001 + 0.024 * (1 + Math.Sqrt(0.5)) / 2, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 25, 100), 15);
        Assert.Equal(0.001, LearningRateSchedule.FixedRate(Train, SearchPhase.Train, 471, 471), 15);
        // learning_rate_min = learning_rate: the constant rate of before
        Assert.Equal(0.025, LearningRateSchedule.FixedRate(Train with { LearningRateMin = 0.025 }, SearchPhase.Train, 30, 100), 15);
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
}
