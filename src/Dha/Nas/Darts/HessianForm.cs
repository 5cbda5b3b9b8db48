namespace Dha.Nas;

/// <summary>
/// How second-order DARTS turns its two finite-difference gradients ∇α L_train(w ± ε·dw') into the Hessian-vector
/// product (dha-method §10 #20).
/// </summary>
public enum HessianForm
{
    /// <summary>The central difference: (g₊ − g₋) / (2ε). The default.</summary>
    Central,

    /// <summary>The authors' code: <c>(p - n) / 2.*eps</c>, i.e. (g₊ − g₋) / 2 · ε, an operator-precedence slip.</summary>
    Reference,
}
