using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// One edge of a search cell. It owns all 7 candidate ops, so an op's weights persist while the support moves
/// elsewhere, but a forward runs only the op it is asked for: a node evaluates its 2 support ops, never the other
/// candidates, which is what makes one-stage DHA cost about one final-network step.
/// The BNs of the ops start with γ = 1, β = 0 and frozen (design §3 #7) until their node's code freezes.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class MixedOp : nn.Module
{
    private readonly ModuleList<Operation> ops;

    /// <param name="channels">C, in and out.</param>
    /// <param name="stride">1, or 2 on a reduction cell's input edges.</param>
    /// <param name="poolExtraBn">A second BN after each pool op's BN (the reference, design §3 #10).</param>
    public MixedOp(int channels, int stride, bool poolExtraBn = false)
        : base(nameof(MixedOp))
    {
        ops = new ModuleList<Operation>(Primitives.All.Select(p => Operations.Create(p, channels, stride, poolExtraBn)).ToArray());
        RegisterComponents();
        SetAffineTrainable(false);
    }

    /// <summary>How many times each op (indexed by <see cref="Primitive"/>) ran since the last reset; for tests.</summary>
    public int[] Invocations { get; } = new int[Primitives.Count];

    public Operation this[Primitive primitive] => ops[(int)primitive];

    /// <summary>Runs one candidate op.</summary>
    public Tensor Run(Primitive primitive, Tensor input)
    {
        Invocations[(int)primitive]++;
        return ops[(int)primitive].call(input);
    }

    /// <summary>Freezes (γ = 1, β = 0 restored) or unfreezes the affine parameters of every BN of every op on this edge.</summary>
    public void SetAffineTrainable(bool trainable)
    {
        using var noGrad = no_grad();
        foreach (var bn in ops.SelectMany(op => op.Norms))
        {
            if (!trainable)
            {
                bn.weight!.fill_(1.0);
                bn.bias!.fill_(0.0);
            }
            bn.weight!.requires_grad = trainable;
            bn.bias!.requires_grad = trainable;
        }
    }
}
