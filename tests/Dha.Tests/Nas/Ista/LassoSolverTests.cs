using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Nas;

public class LassoSolverTests
{
    private static double SoftThreshold(double v, double t) => Math.Sign(v) * Math.Max(Math.Abs(v) - t, 0);

    [Fact]
    public void Identity_design_gives_hand_worked_soft_thresholds()
    {
        var a = new double[7, 7];
        for (var i = 0; i < 7; i++)
        {
            a[i, i] = 1;
        }
        double[] b = [0.5, -0.3, 0.01, -0.02, 0.2, 0, 0.07];
        // min (1/14)‖b − x‖² + 0.01‖x‖₁ separates: x_j = S(b_j, 7·0.01) = S(b_j, 0.07).
        var x = new LassoSolver(a, 0.01, fitIntercept: false, 1e-12, 10000).Solve(b);
        double[] expected = [0.43, -0.23, 0, 0, 0.13, 0, 0];
        for (var j = 0; j < 7; j++)
        {
            Assert.Equal(expected[j], x[j], 12);
        }
    }

    [Fact]
    public void Orthonormal_design_gives_soft_thresholding_of_the_correlations()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var generator = new Generator(17);
        var (q, _) = linalg.qr(randn([7, 7], ScalarType.Float64, generator: generator));
        var a = ToMatrix(q);
        var b = randn([7], ScalarType.Float64, generator: generator).data<double>().ToArray();
        const double alpha = 0.02;
        var x = new LassoSolver(a, alpha, fitIntercept: false, 1e-14, 100000).Solve(b);
        // AᵀA = I: x_j = S(A_jᵀb, m·α).
        for (var j = 0; j < 7; j++)
        {
            var correlation = Enumerable.Range(0, 7).Sum(i => a[i, j] * b[i]);
            Assert.Equal(SoftThreshold(correlation, 7 * alpha), x[j], 9);
        }
        Assert.Contains(x, v => v == 0.0);
        Assert.Contains(x, v => v != 0.0);
    }

    [Theory]
    [InlineData(14, false, 1e-3, 1e-5)]
    [InlineData(21, false, 1e-3, 1e-5)]
    [InlineData(28, false, 1.0, 1e-2)]
    [InlineData(35, false, 1e-3, 1e-5)]
    [InlineData(14, true, 1e-3, 1e-5)]
    [InlineData(21, true, 1.0, 1e-2)]
    [InlineData(28, true, 1e-3, 1e-5)]
    [InlineData(35, true, 1e-3, 1e-5)]
    public void Solutions_satisfy_the_kkt_conditions_on_real_sized_problems(int n, bool intercept, double scale, double alpha)
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(n + (intercept ? 100 : 0)));
        var a = ToMatrix(rand([7, n], ScalarType.Float64, generator: generator));
        var b = (randn([7], ScalarType.Float64, generator: generator) * scale).data<double>().ToArray();
        var x = new LassoSolver(a, alpha, intercept, 1e-14, 1_000_000).Solve(b, out var c, out _);
        // The optimal intercept for fixed x is the mean residual; without intercept it is 0.
        var residual = Enumerable.Range(0, 7).Select(i => b[i] - Enumerable.Range(0, n).Sum(j => a[i, j] * x[j])).ToArray();
        var expectedIntercept = intercept ? residual.Average() : 0.0;
        Assert.Equal(expectedIntercept, c, 10);
        residual = residual.Select(r => r - expectedIntercept).ToArray();
        // Tolerance 1e-6 relative to the problem's scale, max_j |A_jᵀ(b − mean b)|/m (the smallest α giving x = 0).
        var bMean = intercept ? b.Average() : 0.0;
        var scaleOfProblem = Enumerable.Range(0, n).Max(j => Math.Abs(Enumerable.Range(0, 7).Sum(i => a[i, j] * (b[i] - bMean)) / 7));
        var tolerance = 1e-6 * scaleOfProblem;
        var nonzero = 0;
        for (var j = 0; j < n; j++)
        {
            // Stationarity of (1/2m)‖r‖² + α‖x‖₁: (1/m)A_jᵀr = α·sign(x_j) if x_j ≠ 0, |(1/m)A_jᵀr| ≤ α otherwise.
            var g = Enumerable.Range(0, 7).Sum(i => a[i, j] * residual[i]) / 7;
            if (x[j] != 0)
            {
                nonzero++;
                Assert.True(Math.Abs(g - (alpha * Math.Sign(x[j]))) <= tolerance, $"x[{j}] = {x[j]}, gradient {g}");
            }
            else
            {
                Assert.True(Math.Abs(g) <= alpha + tolerance, $"x[{j}] = 0, gradient {g} beyond alpha");
            }
        }
        Assert.InRange(nonzero, 1, 7);
    }

    [Fact]
    public void Sklearn_defaults_stop_early_but_close_to_the_tight_solution()
    {
        NasFixtures.SingleThread();
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var a = ToMatrix(rand([7, 21], ScalarType.Float64, generator: generator));
        var b = (randn([7], ScalarType.Float64, generator: generator) * 1e-3).data<double>().ToArray();
        var loose = new LassoSolver(a, 1e-5, false).Solve(b, out _, out var looseSweeps);
        var tight = new LassoSolver(a, 1e-5, false, 1e-14, 1_000_000).Solve(b, out _, out var tightSweeps);
        Assert.True(looseSweeps <= 1000 && looseSweeps < tightSweeps);
        Assert.True(Objective(a, b, loose, 1e-5) - Objective(a, b, tight, 1e-5) < 1e-4 * b.Sum(v => v * v) / 7);
    }

    // Values written by Fixtures/sklearn_lasso.py: sklearn Lasso(alpha=1e-5) with its defaults (tol 1e-4, max_iter 1000).
    private static readonly double[] SklearnA = [0.22199317108973948, 0.8707323061773764, 0.20671915533942642, 0.9186109079379216, 0.48841118879482914, 0.6117438629026457, 0.7659078564803156, 0.5184179878729432, 0.29680050157622195, 0.18772122866125163, 0.08074126876487486, 0.73844029619897, 0.4413092228959531, 0.1583098677126512, 0.8799370312012789, 0.27408646199222464, 0.4142350190810513, 0.29607993273364797, 0.6287879088794833, 0.579837810189545, 0.5999291966249876, 0.26581911753550724, 0.2846858806413638, 0.2535882057737875, 0.3275639476887341, 0.14416430065342045, 0.1656128612012676, 0.9639305290679419, 0.9602267152856938, 0.18841465559593518, 0.024306561629486967, 0.20455554637995066, 0.6998436141265575, 0.7795145855555298, 0.02293309243908148, 0.577662858129756, 0.001642172716045276, 0.5154726119053935, 0.6397951761308571, 0.9856244028041888, 0.25909759641110575, 0.8024968852628702, 0.8704830870014831, 0.9227496139456699, 0.0022142125324435824, 0.4694883717575773, 0.9814687376060105, 0.3989448039028505, 0.8137324775869181, 0.5464564979724778, 0.7708540871402245, 0.484931074988458, 0.029111563672717722, 0.08652568840220509, 0.11145381237802332, 0.25124511169054764, 0.964915292526365, 0.6317660527377454, 0.8166602026153619, 0.5660819960927563, 0.6353562055818931, 0.8119023911804106, 0.9266826152438743, 0.9126267637037832, 0.8248107204385254, 0.09420273217732267, 0.3610484184638091, 0.03550903176033027, 0.5463583485408069, 0.7961427208560042, 0.05114280310134711, 0.18866773579310792, 0.3654777679121648, 0.24429086695790836, 0.795087472921032, 0.3520949357663685, 0.6388776820603653, 0.4934150518967597, 0.5834997437200565, 0.9392993519648516, 0.9435400820158796, 0.11169242718357142, 0.8435549661102237, 0.34602815175595236, 0.10082727286264515, 0.3834090660671152, 0.5103547973392479, 0.9611030819651298, 0.3715126153280073, 0.01236941160035765, 0.8597068869881915, 0.11111074954036526, 0.47833904398678495, 0.8499800323861936, 0.5147379670006791, 0.44660782792231324, 0.8004764207505697, 0.020391378448150643, 0.5726186488077992, 0.41138361577937654, 0.9851367976958045, 0.8014015304110701, 0.05396210214514685, 0.19047777345550265, 0.45241884581697545, 0.7029420771179782, 0.3320481495356774, 0.3599831951713076, 0.921470565959177, 0.9536305057273471, 0.4076857286771436, 0.8985711548847233, 0.3302532519595063, 0.08273856907998767, 0.5267175654585914, 0.6608443909583853, 0.8929842943552984, 0.9651575470143406, 0.7699326768913147, 0.759099118289326, 0.7100490473544384, 0.7015528325813724, 0.7673313811177834, 0.9743494788856439, 0.3737145173959693, 0.08305444303844489, 0.23964043961222492, 0.22148276004299516, 0.36359979680410603, 0.8103142321123518, 0.0600961698663498, 0.44974355789655607, 0.813170527483345, 0.2642383745406488, 0.06340098197336863, 0.24210767225593488, 0.0850704617502156, 0.807777435347352, 0.17025007563808214, 0.1953446255624387, 0.8146420115578603, 0.8102855291824956, 0.5893738782337425, 0.914734340117462, 0.05982163675463459, 0.9649966402703323, 0.5709752168558058];
    private static readonly double[] SklearnZ = [0.0008920556014955681, -0.0005408709627085315, 0.00018993910434146705, -0.0009213351826563496, 0.00213266764551692, -0.00038056226085946416, -0.002130800946752865];
    private static readonly double[] SklearnCoefNoIntercept = [-0.0013972052177240162, 0.0024089302579145817, 0.0, 0.0, 0.0, -0.0, -0.0, -0.0, 0.0005545842672975739, 0.0020688834995633786, 0.0, -0.0, 0.0, -0.0, -0.0, -0.0, 0.0, -0.00042946836298688915, -2.273182492918274e-05, -0.002451087803927152, -0.0];
    private static readonly double[] SklearnCoefIntercept = [-0.001377744986300634, 0.002562011095219078, 0.0, 0.00025282010195403447, 0.0, -0.0, -0.0, -0.0, 0.0007972330941238497, 0.0017264819065189161, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, 0.0, -0.0, -0.0, -0.0025771774500262324, 0.0];

    [Theory]
    [InlineData(false, 898, 0.0)]
    [InlineData(true, 109, -0.000449377998768734)]
    public void Coordinate_descent_reproduces_sklearn(bool intercept, int sklearnIterations, double sklearnIntercept)
    {
        var a = new double[7, 21];
        Buffer.BlockCopy(SklearnA, 0, a, 0, SklearnA.Length * sizeof(double));
        var x = new LassoSolver(a, 1e-5, intercept).Solve(SklearnZ, out var c, out var sweeps);
        var expected = intercept ? SklearnCoefIntercept : SklearnCoefNoIntercept;
        for (var j = 0; j < 21; j++)
        {
            Assert.Equal(expected[j], x[j], 12);
        }
        Assert.Equal(sklearnIntercept, c, 12);
        Assert.Equal(sklearnIterations, sweeps);
    }

    internal static double Objective(double[,] a, double[] b, double[] x, double alpha)
    {
        var m = b.Length;
        var r2 = Enumerable.Range(0, m).Sum(i =>
        {
            var r = b[i] - Enumerable.Range(0, x.Length).Sum(j => a[i, j] * x[j]);
            return r * r;
        });
        return (r2 / (2 * m)) + (alpha * x.Sum(Math.Abs));
    }

    internal static double[,] ToMatrix(Tensor t)
    {
        var rows = (int)t.shape[0];
        var cols = (int)t.shape[1];
        var values = t.contiguous().data<double>().ToArray();
        var matrix = new double[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                matrix[i, j] = values[(i * cols) + j];
            }
        }
        return matrix;
    }
}
