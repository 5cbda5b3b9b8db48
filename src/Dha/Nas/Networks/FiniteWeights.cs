using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Whether a network's weights are all finite: the check behind the divergence guard of training and the refusal to
/// save or load a model that diverged. One pass over the parameters and buffers, one host read per tensor: cheap next
/// to an epoch, so it runs at epoch ends and checkpoints, never per step.
/// </summary>
internal static class FiniteWeights
{
    /// <summary>The exit code of a run stopped because its training diverged (2 is bad input, 130 an interrupt).</summary>
    public const int DivergedExitCode = 3;

    /// <summary>The name of the first parameter or buffer holding NaN or an infinity, or null when all are finite.</summary>
    public static string? FirstNonFinite(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (!parameter.isfinite().all().ToBoolean())
            {
                return name;
            }
        }
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (buffer.is_floating_point() && !buffer.isfinite().all().ToBoolean())
            {
                return name;
            }
        }
        return null;
    }
}
