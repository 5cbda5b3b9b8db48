using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

public class RunLengthRatesTests
{
    [Fact]
    public void Rates_stated_for_N_steps_are_scaled_by_N_over_the_run_length_and_0_keeps_them()
    {
        Assert.Equal(0.02, RunLengthRates.Scale(0.02, 0, 785));
        Assert.Equal(0.02, RunLengthRates.Scale(0.02, 785, 785));
        Assert.Equal(0.08, RunLengthRates.Scale(0.02, 1000, 250), 15);
        Assert.Equal(0.01, RunLengthRates.Scale(0.02, 1000, 2000), 15);
        // the total drift rate × steps is the same for any run length
        Assert.Equal(1, RunLengthRates.Scale(5e-6, 1000, 300) * 300 / (RunLengthRates.Scale(5e-6, 1000, 4700) * 4700), 14);
        Assert.Throws<ArgumentOutOfRangeException>(() => RunLengthRates.Scale(0.02, 1000, 0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public void The_trainer_gives_the_policy_and_the_hyper_learner_the_scaled_rates_of_the_phase(int rateRunSteps)
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 128, 32);
        using var data = DatasetLocator.Load(directory);
        var options = TinyRuns.Options(directory).WithOverrides([$"da.rate_run_steps={rateRunSteps}", $"hpo.rate_run_steps={rateRunSteps}"]);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        trainer.Train(new CompositeObserver(), CancellationToken.None);

        // the last epoch is phase B's: its rates, × N / (steps per epoch × (search + train epochs)) when N > 0
        var runSteps = trainer.StepsPerEpoch * (options.Train.SearchEpochs + options.Train.RetrainEpochs);
        Assert.Equal(trainer.RunSteps, runSteps);
        var factor = rateRunSteps == 0 ? 1.0 : (double)rateRunSteps / runSteps;
        Assert.Equal(1, trainer.Policy!.LearningRate / (options.Da.LearningRateTune * factor), 14);
        Assert.Equal(1, trainer.Hyper.HyperLearningRate / (options.Hpo.HyperLearningRateTune * factor), 14);
        Assert.Equal(options.Da.Estimator, trainer.Policy.Estimator);
    }
}
