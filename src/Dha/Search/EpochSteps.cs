using System.Diagnostics;
using Dha.Data;
using Dha.Evaluation;
using Dha.Nas;

namespace Dha.Search;

/// <summary>A trainer that takes one training batch per step and whose epoch <see cref="EpochSteps"/> runs.</summary>
internal interface IEpochStepper
{
    /// <summary>Where the trainer stands; <see cref="EpochSteps"/> moves it on.</summary>
    TrainerPosition Position { get; set; }

    int StepsPerEpoch { get; }

    SearchOptions Options { get; }

    /// <summary>The learning rate and weight decay of the next step.</summary>
    (double LearningRate, double WeightDecay) HyperParameters { get; }

    /// <summary>One step on <paramref name="batch"/>: its training loss and the images it classified right.</summary>
    (double Loss, long Correct) Step(Batch batch, double learningRate, double weightDecay);

    DatasetSplits Splits { get; }

    /// <summary>The architecture trained, as the metrics report it.</summary>
    Genotype Genotype { get; }

    /// <summary>The network as it stands, in eval mode, on <paramref name="data"/>.</summary>
    ClassificationMetrics Score(ImageDataset data);
}

/// <summary>
/// The rest of one epoch of an <see cref="IEpochStepper"/> (the DARTS search, the retraining of a genotype): each
/// batch stepped and disposed, the running loss and accuracy kept in the position, every step reported, a checkpoint
/// every <c>train.checkpoint_steps</c> steps and when cancelled, then the epoch's metrics line (the network scored on
/// the validation split, and on the test split with <c>train.test_every_epoch</c>) and its checkpoint.
/// </summary>
internal static class EpochSteps
{
    /// <param name="trainer">The trainer, at a position inside the epoch.</param>
    /// <param name="batches">The epoch's remaining batches.</param>
    /// <param name="phase">The phase the steps report.</param>
    /// <param name="phaseName">The phase the metrics line names ("search", "retrain").</param>
    /// <param name="observer">Where steps and the epoch are reported.</param>
    /// <param name="checkpointDue">Writes a checkpoint of the trainer as it stands.</param>
    /// <param name="cancel">Stops the epoch after a step, once its checkpoint is written.</param>
    public static void Run(IEpochStepper trainer, IEnumerable<Batch> batches, SearchPhase phase, string phaseName, ISearchObserver observer, Action checkpointDue,
        CancellationToken cancel)
    {
        var steps = trainer.StepsPerEpoch;
        if (trainer.Position.Step == 0)
        {
            trainer.Position = trainer.Position with { TrainLoss = 0, TrainCorrect = 0, TrainCount = 0, EpochSeconds = 0 };
        }
        var epochWatch = Stopwatch.StartNew();
        var stepWatch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            var wait = stepWatch.Elapsed.TotalSeconds;
            var (learningRate, weightDecay) = trainer.HyperParameters;
            var size = batch.Size;
            double loss;
            long correct;
            using (batch)
            {
                (loss, correct) = trainer.Step(batch, learningRate, weightDecay);
            }
            DivergenceGuard.CheckLoss(loss, trainer.Position);
            var position = trainer.Position with
            {
                TrainLoss = trainer.Position.TrainLoss + loss * size,
                TrainCorrect = trainer.Position.TrainCorrect + correct,
                TrainCount = trainer.Position.TrainCount + size,
                Step = trainer.Position.Step + 1,
                GlobalStep = trainer.Position.GlobalStep + 1,
            };
            trainer.Position = position;
            observer.OnStepCompleted(new StepMetrics(phase, position.Epoch, position.Step, steps, position.TrainLoss / position.TrainCount,
                position.TrainCorrect / position.TrainCount, learningRate, weightDecay, stepWatch.Elapsed.TotalSeconds, wait));
            if (position.CheckpointDueMidEpoch(steps, trainer.Options.Train.CheckpointSteps, cancel.IsCancellationRequested))
            {
                trainer.Position = position.Spent(epochWatch.Elapsed.TotalSeconds);
                epochWatch.Restart();
                checkpointDue();
                cancel.ThrowIfCancellationRequested();
            }
            stepWatch.Restart();
        }
        trainer.Position = trainer.Position.Spent(epochWatch.Elapsed.TotalSeconds);
        Report(trainer, phaseName, observer);
        trainer.Position = trainer.Position with { Epoch = trainer.Position.Epoch + 1, GlobalEpoch = trainer.Position.GlobalEpoch + 1, Step = 0 };
        checkpointDue();
    }

    /// <summary>
    /// Checks a checkpoint's position against a run of <paramref name="epochs"/> epochs of
    /// <paramref name="stepsPerEpoch"/> steps in <paramref name="phase"/>, whose epochs and steps count from 0.
    /// </summary>
    /// <param name="position">The position read from the checkpoint.</param>
    /// <param name="phase">The phase every position of the run is in.</param>
    /// <param name="epochs">The run's epochs.</param>
    /// <param name="stepsPerEpoch">Its steps per epoch.</param>
    /// <param name="run">What the run is, for the message ("a retraining").</param>
    /// <exception cref="InvalidInputException">The position cannot belong to such a run.</exception>
    public static void CheckPosition(TrainerPosition position, SearchPhase phase, int epochs, int stepsPerEpoch, string run)
    {
        if (position.Phase != phase || position.Epoch != position.GlobalEpoch || position.Epoch > epochs)
        {
            throw new InvalidInputException($"checkpoint: position epoch {position.Epoch} (overall {position.GlobalEpoch}) is impossible in {run} of {epochs} epochs");
        }
        if (position.Step >= stepsPerEpoch || position.GlobalStep != (long)position.Epoch * stepsPerEpoch + position.Step)
        {
            throw new InvalidInputException($"checkpoint: position step {position.Step} (overall {position.GlobalStep}) is impossible with {stepsPerEpoch} steps per epoch");
        }
    }

    private static void Report(IEpochStepper trainer, string phaseName, ISearchObserver observer)
    {
        var validation = trainer.Score(trainer.Splits.Validation);
        double? test = trainer.Options.Train.TestEveryEpoch ? trainer.Score(trainer.Splits.Test).Accuracy : null;
        var (learningRate, weightDecay) = trainer.HyperParameters;
        var at = trainer.Position;
        observer.OnEpochCompleted(new EpochMetrics(at.Epoch, phaseName, at.TrainLoss / at.TrainCount, at.TrainCorrect / at.TrainCount,
            validation.Loss, validation.Accuracy, test, learningRate, weightDecay, PolicyEntropy: double.NaN, FrozenNodes: 0, trainer.Genotype.ToString(),
            at.EpochSeconds));
    }
}
