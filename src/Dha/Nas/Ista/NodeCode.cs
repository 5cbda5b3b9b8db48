using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The ISTA state of one node: sensing matrix A (m × n, n = (i+2)·7), trainable code z (its own leaf tensor, so
/// it can be frozen alone), last accepted x, the support S and bias the projection currently uses, the freeze
/// flags, and the Adam moments of z.
/// </summary>
internal sealed class NodeCode : IDisposable
{
    private Tensor? _columns;
    private Tensor? _bias;

    public NodeCode(CellType type, int node, double[,] a, Tensor z)
    {
        Type = type;
        Node = node;
        A = a;
        Z = z;
        XLast = new double[a.GetLength(1)];
        AdamM = new double[a.GetLength(0)];
        AdamV = new double[a.GetLength(0)];
    }

    public CellType Type { get; }

    public int Node { get; }

    public double[,] A { get; }

    public Tensor Z { get; }

    /// <summary>The last accepted architecture vector x (edge-major, <c>edge·7 + op</c>).</summary>
    public double[] XLast { get; set; }

    /// <summary>The support the projection uses (set at the start of an epoch from <see cref="XLast"/>).</summary>
    public GenotypeEdge[] Support { get; private set; } = [];

    /// <summary>The bias (Eᵀx_S) on the support entries, in <see cref="Support"/> order.</summary>
    public double[] SupportBias { get; private set; } = [];

    /// <summary>Set when a recovered x lands within the distance limit of the last one (from an accepted x only).</summary>
    public bool Frozen { get; set; }

    /// <summary>Set at the start of the epoch after <see cref="Frozen"/>: z no longer requires a gradient.</summary>
    public bool CodeFrozen { get; set; }

    public double[] AdamM { get; }

    public double[] AdamV { get; }

    public long AdamStep { get; set; }

    public int Rows => A.GetLength(0);

    public double[] ZValues()
    {
        using var scope = NewDisposeScope();
        return Z.detach().to(ScalarType.Float64).data<double>().ToArray();
    }

    public void SetZ(double[] values)
    {
        using var noGrad = no_grad();
        using var source = tensor(values, ScalarType.Float64);
        Z.copy_(source);
    }

    /// <summary>
    /// Fixes S = pick(x_last) and bias = Eᵀx_S with E = AᵀA − I restricted to S, i.e. on S
    /// bias_j = A_jᵀ(A x_S) − x_j, so the projection is alpha_S = x_S + A_Sᵀ(z − A x_S).
    /// </summary>
    public void RebuildSupport(SupportRule rule)
    {
        var support = SupportSelection.Pick(XLast, rule);
        var indices = support.Select(e => (e.Input * Primitives.Count) + (int)e.Op).ToArray();
        var ax = new double[Rows];
        foreach (var j in indices)
        {
            for (var r = 0; r < Rows; r++)
            {
                ax[r] += A[r, j] * XLast[j];
            }
        }
        var biasValues = indices.Select(j =>
        {
            var dot = 0.0;
            for (var r = 0; r < Rows; r++)
            {
                dot += A[r, j] * ax[r];
            }
            return dot - XLast[j];
        }).ToArray();
        SetSupport(support, biasValues);
    }

    /// <summary>Installs a support and its bias (also used when loading a checkpoint).</summary>
    public void SetSupport(GenotypeEdge[] support, double[] biasValues)
    {
        Support = support;
        SupportBias = biasValues;
        var indices = support.Select(e => (e.Input * Primitives.Count) + (int)e.Op).ToArray();
        var cols = new double[Rows * indices.Length];
        for (var r = 0; r < Rows; r++)
        {
            for (var s = 0; s < indices.Length; s++)
            {
                cols[(r * indices.Length) + s] = A[r, indices[s]];
            }
        }
        _columns?.Dispose();
        _bias?.Dispose();
        _columns = tensor(cols, [Rows, indices.Length], Z.dtype).DetachFromDisposeScope();
        _bias = tensor(biasValues, Z.dtype).DetachFromDisposeScope();
    }

    /// <summary>alpha_S = A_Sᵀ z − bias_S (the node's nonzero op weights), optionally divided by their L1 norm.</summary>
    public Tensor Project(bool normalise)
    {
        var alpha = _columns!.t().matmul(Z).sub(_bias!);
        return normalise ? alpha.div(alpha.abs().sum().clamp_min(1e-30)) : alpha;
    }

    public void Dispose()
    {
        _columns?.Dispose();
        _bias?.Dispose();
        Z.Dispose();
    }
}
