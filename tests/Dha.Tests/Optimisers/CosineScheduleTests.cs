using Dha.Optimisers;
using static TorchSharp.torch;

namespace Dha.Tests.Optimisers;

public class CosineScheduleTests
{
    [Fact]
    public void Matches_torch_cosine_annealing_step_by_step()
    {
        const double start = 0.025;
        const double floor = 0.001;
        const int total = 37;
        using var weight = new TorchSharp.Modules.Parameter(zeros(1, dtype: ScalarType.Float64));
        var sgd = optim.SGD([weight], start);
        var scheduler = optim.lr_scheduler.CosineAnnealingLR(sgd, total, floor);
        for (var t = 0; t <= total; t++)
        {
            Assert.Equal(sgd.ParamGroups.First().LearningRate, CosineSchedule.At(start, floor, t, total), 12);
            sgd.step();
            scheduler.step();
        }
    }

    [Fact]
    public void Holds_the_floor_after_the_end_and_the_start_without_a_length()
    {
        Assert.Equal(0.001, CosineSchedule.At(0.025, 0.001, 50, 37), 15);
        Assert.Equal(0.013, CosineSchedule.At(0.025, 0.001, 5, 10), 15); // halfway: the mean of start and floor
        Assert.Equal(0.025, CosineSchedule.At(0.025, 0.001, 5, 0), 15);
    }
}
