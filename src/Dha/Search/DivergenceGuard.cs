using System.Globalization;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>
/// Stops a run whose training diverged, with one line saying what and when, before anything non-finite is written:
/// the loss is checked at every step (it is read for the metrics anyway, so the check costs nothing), the weights
/// before every checkpoint (so a checkpoint never holds them). The run ends with
/// <see cref="FiniteWeights.DivergedExitCode"/>; its last checkpoint is one from before.
/// </summary>
internal static class DivergenceGuard
{
    /// <param name="loss">The step's training loss.</param>
    /// <param name="position">The position before the step.</param>
    /// <exception cref="InvalidInputException">The loss is NaN or infinite.</exception>
    public static void CheckLoss(double loss, TrainerPosition position)
    {
        if (!double.IsFinite(loss))
        {
            throw Diverged(string.Create(CultureInfo.InvariantCulture, $"the training loss became {loss} at step {position.GlobalStep + 1}"), position);
        }
    }

    /// <summary><paramref name="checkpointDue"/>, preceded by a check of <paramref name="network"/>'s weights at the position of the moment.</summary>
    public static Action BeforeCheckpoint(nn.Module network, Func<TrainerPosition> position, Action checkpointDue) => () =>
    {
        if (FiniteWeights.FirstNonFinite(network) is { } name)
        {
            var at = position();
            throw Diverged(string.Create(CultureInfo.InvariantCulture, $"the weights {name} hold NaN or infinite values after step {at.GlobalStep}"), at);
        }
        checkpointDue();
    };

    private static InvalidInputException Diverged(string what, TrainerPosition position) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"the run diverged: {what} (epoch {position.GlobalEpoch + 1}, {position.Phase.ToString().ToLowerInvariant()} phase); it stopped without saving a model or checkpoint; lower the learning rate or the weight decay"),
            FiniteWeights.DivergedExitCode);
}
