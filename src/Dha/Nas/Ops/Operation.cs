using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// A candidate operation (C→C). Every operation in this space ends with a batch norm, so a scalar weight that
/// multiplies the op's output can be folded exactly into that last BN (γ ← aγ, β ← aβ) for any sign of a.
/// </summary>
internal abstract class Operation : nn.Module<Tensor, Tensor>
{
    protected Operation(string name)
        : base(name)
    {
    }

    /// <summary>The BN whose output is the op's output.</summary>
    public abstract BatchNorm2d LastNorm { get; }

    /// <summary>Every BN in the op (the affine freeze of mixed ops applies to all of them).</summary>
    public IEnumerable<BatchNorm2d> Norms => modules().OfType<BatchNorm2d>();
}
