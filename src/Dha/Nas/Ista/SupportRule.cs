namespace Dha.Nas;

/// <summary>
/// How a node's support (its 2 active (input, op) pairs) is read off its recovered architecture vector x.
/// Both rules take, per input edge, the op with the largest signed value and keep the 2 edges whose best value is
/// largest, so a node always reads two different states.
/// </summary>
public enum SupportRule
{
    /// <summary>Best op over all 7 ops (design §3 #4, the default).</summary>
    AllOps,

    /// <summary>The DHA reference: best op over ops 0..5 only (<c>dil_conv_5x5</c> can never be chosen).</summary>
    Reference,
}
