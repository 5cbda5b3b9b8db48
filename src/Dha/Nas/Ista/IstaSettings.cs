namespace Dha.Nas;

/// <summary>
/// Settings of the ISTA architecture encoder (dha-method §4.3–4.5, design §3). Defaults are this project's
/// decisions; the reference behaviour is <c>FitIntercept = true, Rule = Reference, NormaliseScalars = false</c>.
/// </summary>
/// <param name="ProjectionDims">Length m of each node's code z (rows of its sensing matrix A).</param>
/// <param name="DistLimit">A node freezes when ‖x_new − x_last‖₂ ≤ this (1e-3 CIFAR, 1e-4 Flowers102).</param>
/// <param name="LassoAlpha">α of the LASSO in sklearn scaling (1/(2m) on the squared error).</param>
/// <param name="FitIntercept">Fit an intercept in the LASSO (the reference's sklearn default; design #5 says no).</param>
/// <param name="Rule">Support rule (design #4).</param>
/// <param name="NormaliseScalars">Divide a node's support scalars by their L1 norm (design "new A"); false = raw projections.</param>
/// <param name="ParamLimitMillions">Reject a recovered x whose genotype network (C=36, 20 cells, 10 classes, no aux) has at least this many million parameters.</param>
/// <param name="LearningRate">Adam learning rate on z.</param>
/// <param name="Beta1">Adam β₁.</param>
/// <param name="Beta2">Adam β₂.</param>
/// <param name="WeightDecay">L2 decay added to z's gradient.</param>
/// <param name="LassoTolerance">sklearn <c>tol</c> of the coordinate descent.</param>
/// <param name="LassoMaxIterations">sklearn <c>max_iter</c>.</param>
/// <param name="FrozenCodeDrift">Adam keeps stepping a frozen code with a zero gradient (the reference's stock Adam; design #8 says no).</param>
internal sealed record IstaSettings(
    int ProjectionDims = 7,
    double DistLimit = 1e-3,
    double LassoAlpha = 1e-5,
    bool FitIntercept = false,
    SupportRule Rule = SupportRule.AllOps,
    bool NormaliseScalars = true,
    double ParamLimitMillions = double.PositiveInfinity,
    double LearningRate = 3e-4,
    double Beta1 = 0.5,
    double Beta2 = 0.999,
    double WeightDecay = 1e-3,
    double LassoTolerance = 1e-4,
    int LassoMaxIterations = 1000,
    bool FrozenCodeDrift = false)
{
    internal void Validate()
    {
        if (ProjectionDims < 1 || DistLimit < 0 || LassoAlpha < 0 || ParamLimitMillions <= 0 || LearningRate < 0
            || Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1 || WeightDecay < 0 || LassoTolerance < 0 || LassoMaxIterations < 1)
        {
            throw new ArgumentException($"IstaSettings: a value is out of range: {this}");
        }
    }
}
