namespace Dha.Nas;

/// <summary>
/// LASSO by cyclic coordinate descent with scikit-learn's semantics (0.23, <c>Lasso(alpha)</c>):
/// <c>min_{x,c} (1/(2m))‖b − A x − c‖² + α‖x‖₁</c>, where the intercept c exists only when
/// fitting an intercept is asked for (then A's columns and b are centred first, as sklearn does).
/// Starts from x = 0; stops when the largest coordinate change relative to the largest coordinate falls below
/// the tolerance and the duality gap is below tolerance·‖b‖², or after the iteration budget.
/// The problems are tiny (m = 7 rows, n ≤ 35 columns), so plain loops are the right tool.
/// </summary>
internal sealed class LassoSolver
{
    private readonly double[,] _a;
    private readonly double _alpha;
    private readonly bool _fitIntercept;
    private readonly double _tolerance;
    private readonly int _maxIterations;

    public LassoSolver(double[,] a, double alpha, bool fitIntercept, double tolerance = 1e-4, int maxIterations = 1000)
    {
        if (alpha < 0 || tolerance < 0 || maxIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), "LassoSolver: alpha and tolerance must be >= 0 and maxIterations >= 1");
        }
        _a = a;
        _alpha = alpha;
        _fitIntercept = fitIntercept;
        _tolerance = tolerance;
        _maxIterations = maxIterations;
    }

    public int Rows => _a.GetLength(0);

    public int Columns => _a.GetLength(1);

    /// <summary>The sparse coefficients x for the right-hand side <paramref name="b"/>.</summary>
    public double[] Solve(ReadOnlySpan<double> b) => Solve(b, out _, out _);

    /// <summary>The coefficients x, the intercept c (0 without intercept) and the sweeps used.</summary>
    public double[] Solve(ReadOnlySpan<double> b, out double intercept, out int iterations)
    {
        int m = Rows, n = Columns;
        if (b.Length != m)
        {
            throw new ArgumentException($"LassoSolver: b has {b.Length} entries, A has {m} rows");
        }
        var design = new double[m, n];
        var y = b.ToArray();
        var columnMeans = new double[n];
        var yMean = 0.0;
        if (_fitIntercept)
        {
            for (var j = 0; j < n; j++)
            {
                for (var i = 0; i < m; i++)
                {
                    columnMeans[j] += _a[i, j];
                }
                columnMeans[j] /= m;
            }
            yMean = y.Average();
        }
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                design[i, j] = _a[i, j] - columnMeans[j];
            }
            y[i] -= yMean;
        }

        // sklearn's cd_fast.enet_coordinate_descent with l1_ratio = 1: objective ½‖y − Xw‖² + (α·m)‖w‖₁.
        var l1 = _alpha * m;
        var w = new double[n];
        var residual = (double[])y.Clone();
        var columnNorms = new double[n];
        for (var j = 0; j < n; j++)
        {
            for (var i = 0; i < m; i++)
            {
                columnNorms[j] += design[i, j] * design[i, j];
            }
        }
        var gapTolerance = _tolerance * Dot(y, y);
        iterations = 0;
        for (var sweep = 0; sweep < _maxIterations; sweep++)
        {
            iterations = sweep + 1;
            double wMax = 0, dwMax = 0;
            for (var j = 0; j < n; j++)
            {
                if (columnNorms[j] == 0.0)
                {
                    continue;
                }
                var old = w[j];
                if (old != 0.0)
                {
                    for (var i = 0; i < m; i++)
                    {
                        residual[i] += old * design[i, j];
                    }
                }
                var rho = 0.0;
                for (var i = 0; i < m; i++)
                {
                    rho += design[i, j] * residual[i];
                }
                w[j] = Math.Sign(rho) * Math.Max(Math.Abs(rho) - l1, 0.0) / columnNorms[j];
                if (w[j] != 0.0)
                {
                    for (var i = 0; i < m; i++)
                    {
                        residual[i] -= w[j] * design[i, j];
                    }
                }
                dwMax = Math.Max(dwMax, Math.Abs(w[j] - old));
                wMax = Math.Max(wMax, Math.Abs(w[j]));
            }
            if (wMax == 0.0 || dwMax / wMax < _tolerance || sweep == _maxIterations - 1)
            {
                if (DualityGap(design, y, w, residual, l1) < gapTolerance)
                {
                    break;
                }
            }
        }
        intercept = 0.0;
        if (_fitIntercept)
        {
            intercept = yMean - Dot(columnMeans, w);
        }
        return w;
    }

    private static double DualityGap(double[,] x, double[] y, double[] w, double[] residual, double l1)
    {
        int m = y.Length, n = w.Length;
        var dualNorm = 0.0;
        for (var j = 0; j < n; j++)
        {
            var xtr = 0.0;
            for (var i = 0; i < m; i++)
            {
                xtr += x[i, j] * residual[i];
            }
            dualNorm = Math.Max(dualNorm, Math.Abs(xtr));
        }
        var rNorm2 = Dot(residual, residual);
        double gap, scale;
        if (dualNorm > l1)
        {
            scale = l1 / dualNorm;
            gap = 0.5 * (rNorm2 + (rNorm2 * scale * scale));
        }
        else
        {
            scale = 1.0;
            gap = rNorm2;
        }
        return gap + (l1 * w.Sum(Math.Abs)) - (scale * Dot(residual, y));
    }

    private static double Dot(double[] u, double[] v)
    {
        var s = 0.0;
        for (var i = 0; i < u.Length; i++)
        {
            s += u[i] * v[i];
        }
        return s;
    }
}
