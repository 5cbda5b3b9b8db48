using Dha.Optimisers;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The architecture learner of DHA (ISTA-NAS one-stage, dha-method §4.3–4.5). Per node (4 normal + 4 reduce) it
/// holds a fixed random sensing matrix A, a trainable code z and the last accepted sparse architecture x.
/// Each step the network computes with <see cref="Project"/> (alpha = A_Sᵀz − bias on the 2 support entries);
/// <see cref="Step"/> moves the unfrozen z by Adam on the training loss. Once per epoch <see cref="EndEpoch"/>
/// recovers x from z by LASSO, freezes nodes whose x stopped moving and applies the parameter limit, and the next
/// <see cref="BeginEpoch"/> freezes their codes, raises the stop flag when all 8 are frozen, and rebuilds the supports.
/// </summary>
internal sealed class IstaEncoder : IDisposable
{
    private static readonly CellType[] Types = [CellType.Normal, CellType.Reduce];

    private readonly IstaSettings _settings;
    private readonly NodeCode[] _nodes;
    private readonly LassoSolver[] _solvers;

    /// <param name="settings">Encoder settings.</param>
    /// <param name="seed">Seeds A (U[0,1)) and z (1e-3·N(0,1)); torch's global generator is not touched.</param>
    /// <param name="dtype">Type of z and of the projected scalars (float64 for gradient checks).</param>
    public IstaEncoder(IstaSettings settings, int seed, ScalarType dtype = ScalarType.Float32)
    {
        settings.Validate();
        _settings = settings;
        var m = settings.ProjectionDims;
        using var generator = new Generator(unchecked((ulong)seed));
        var matrices = new List<double[,]>();
        foreach (var type in Types)
        {
            for (var node = 0; node < CellTopology.Nodes; node++)
            {
                var n = CellTopology.InputCount(node) * Primitives.Count;
                using var a = rand([m, n], ScalarType.Float64, generator: generator);
                var values = a.data<double>().ToArray();
                var matrix = new double[m, n];
                for (var r = 0; r < m; r++)
                {
                    for (var c = 0; c < n; c++)
                    {
                        matrix[r, c] = values[(r * n) + c];
                    }
                }
                matrices.Add(matrix);
            }
        }
        _nodes = new NodeCode[matrices.Count];
        _solvers = new LassoSolver[matrices.Count];
        for (var i = 0; i < _nodes.Length; i++)
        {
            using var draw = randn([m], ScalarType.Float64, generator: generator);
            var z = draw.mul(1e-3).to(dtype).DetachFromDisposeScope().requires_grad_(true);
            _nodes[i] = new NodeCode(Types[i / CellTopology.Nodes], i % CellTopology.Nodes, matrices[i], z);
            _solvers[i] = new LassoSolver(matrices[i], settings.LassoAlpha, settings.FitIntercept, settings.LassoTolerance, settings.LassoMaxIterations);
            _nodes[i].XLast = _solvers[i].Solve(_nodes[i].ZValues());
            _nodes[i].RebuildSupport(settings.Rule);
        }
        Genotype = GenotypeOf(_nodes.Select(n => n.XLast).ToArray());
    }

    public IstaSettings Settings => _settings;

    /// <summary>Set by <see cref="BeginEpoch"/> when all 8 nodes are frozen: this epoch is the last search epoch.</summary>
    public bool StopFlag { get; private set; }

    /// <summary>Nodes whose freeze flag is set.</summary>
    public int FrozenCount => _nodes.Count(n => n.Frozen);

    /// <summary>
    /// The genotype of the last accepted x (design §3 #11: a rejected x never shows here). It equals the support of
    /// <see cref="Project"/> from the next <see cref="BeginEpoch"/> on (an accepted x takes effect at epoch start).
    /// </summary>
    public Genotype Genotype { get; private set; }

    public bool IsFrozen(CellType type, int node) => Node(type, node).Frozen;

    /// <summary>The 8 codes z (normal nodes 0..3, then reduce nodes 0..3).</summary>
    public IEnumerable<Tensor> Codes() => _nodes.Select(n => n.Z);

    /// <summary>The last accepted x of a node (a copy), edge-major <c>edge·7 + op</c>.</summary>
    internal double[] LastX(CellType type, int node) => (double[])Node(type, node).XLast.Clone();

    internal double[,] SensingMatrix(CellType type, int node) => Node(type, node).A;

    /// <summary>
    /// The architecture the network computes with now: per node its 2 support entries and their scalars
    /// alpha_S = A_Sᵀz − bias (divided by their L1 norm when <see cref="IstaSettings.NormaliseScalars"/>).
    /// Differentiable with respect to unfrozen z; frozen codes do not require a gradient, so their scalars are
    /// constants. The tensors belong to the caller's dispose scope.
    /// </summary>
    public Architecture Project()
    {
        IReadOnlyList<SupportEntry>[] Cell(CellType type) => Enumerable.Range(0, CellTopology.Nodes).Select(node =>
        {
            var code = Node(type, node);
            var alpha = code.Project(_settings.NormaliseScalars);
            return (IReadOnlyList<SupportEntry>)code.Support
                .Select((e, i) => new SupportEntry(e.Input, e.Op, alpha[i]))
                .ToArray();
        }).ToArray();
        return new Architecture(Cell(CellType.Normal), Cell(CellType.Reduce));
    }

    /// <summary>
    /// Start of an epoch ("pretrain"): freezes the codes of nodes frozen by the last recovery (z stops requiring
    /// a gradient and is never updated again), sets <see cref="StopFlag"/> when all 8 nodes are frozen, and rebuilds
    /// every node's support and bias from its last accepted x. Returns the newly frozen nodes; the caller then
    /// unfreezes their BN affine parameters (<see cref="SearchNetwork.UnfreezeNodeAffine"/>).
    /// </summary>
    public IReadOnlyList<(CellType Type, int Node)> BeginEpoch()
    {
        var newlyFrozen = new List<(CellType, int)>();
        foreach (var code in _nodes.Where(n => n.Frozen && !n.CodeFrozen))
        {
            code.CodeFrozen = true;
            code.Z.requires_grad_(false);
            newlyFrozen.Add((code.Type, code.Node));
        }
        if (_nodes.All(n => n.Frozen))
        {
            StopFlag = true;
        }
        foreach (var code in _nodes)
        {
            code.RebuildSupport(_settings.Rule);
        }
        return newlyFrozen;
    }

    /// <summary>
    /// End of an epoch ("postrain"): for every unfrozen node x_new = LASSO(A, z) and its distance to x_last. If
    /// the genotype of the new x stays under the parameter limit, x is accepted: x_last ← x_new, the genotype
    /// follows, and nodes within <see cref="IstaSettings.DistLimit"/> freeze. A rejected x changes nothing.
    /// After the stop flag is set this does nothing.
    /// </summary>
    public RecoveryReport EndEpoch()
    {
        if (StopFlag)
        {
            return new RecoveryReport(
                _nodes.Select(n => new NodeRecovery(n.Type, n.Node, 0.0, n.Frozen)).ToArray(), false, FrozenCount, null, Skipped: true);
        }
        var candidates = new double[_nodes.Length][];
        var distances = new double[_nodes.Length];
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (_nodes[i].Frozen)
            {
                candidates[i] = _nodes[i].XLast;
                continue;
            }
            candidates[i] = _solvers[i].Solve(_nodes[i].ZValues());
            distances[i] = Math.Sqrt(candidates[i].Zip(_nodes[i].XLast, (p, q) => (p - q) * (p - q)).Sum());
        }
        var genotype = GenotypeOf(candidates);
        double? millions = null;
        var accepted = true;
        if (!double.IsPositiveInfinity(_settings.ParamLimitMillions))
        {
            millions = ParameterCounter.Count(NetworkShape.ParameterLimitReference, genotype) / 1e6;
            accepted = millions < _settings.ParamLimitMillions;
        }
        if (accepted)
        {
            for (var i = 0; i < _nodes.Length; i++)
            {
                if (!_nodes[i].Frozen)
                {
                    _nodes[i].XLast = candidates[i];
                    _nodes[i].Frozen = distances[i] <= _settings.DistLimit;
                }
            }
            Genotype = genotype;
        }
        var report = _nodes.Select((n, i) => new NodeRecovery(n.Type, n.Node, distances[i], n.Frozen)).ToArray();
        return new RecoveryReport(report, accepted, FrozenCount, millions, Skipped: false);
    }

    /// <summary>
    /// One Adam step (L2 decay added to the gradient, PyTorch's bias correction) on every code that is not
    /// frozen and has a gradient. Frozen codes are never touched, whatever their gradient (design §3 #8), unless
    /// <see cref="IstaSettings.FrozenCodeDrift"/> asks for the reference: a frozen code that was stepped before steps
    /// on with a zero gradient.
    /// </summary>
    public void Step()
    {
        foreach (var code in _nodes)
        {
            var frozen = code.Frozen || code.CodeFrozen;
            var drifts = frozen && _settings.FrozenCodeDrift && code.AdamStep > 0;
            if (!drifts && (frozen || code.Z.grad is null))
            {
                continue;
            }
            using var scope = NewDisposeScope();
            var grad = drifts ? new double[code.Rows] : code.Z.grad!.to(ScalarType.Float64).data<double>().ToArray();
            var z = code.ZValues();
            code.AdamStep++;
            Adam.Step(z, grad, code.AdamM, code.AdamV, code.AdamStep, _settings.LearningRate, _settings.Beta1, _settings.Beta2, _settings.WeightDecay);
            code.SetZ(z);
        }
    }

    /// <summary>Drops the gradients of all codes (sets them to none, so a code outside the next graph is not stepped).</summary>
    public void ZeroGrad()
    {
        foreach (var code in _nodes)
        {
            code.Z.grad = null;
        }
    }

    /// <summary>
    /// Writes A, z, x_last, the active support and bias, freeze flags, stop flag and Adam moments and step counts,
    /// so a loaded encoder continues exactly like this one. The checkpoint container versions the format.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_settings.ProjectionDims);
        writer.Write(_nodes.Length);
        writer.Write(StopFlag);
        foreach (var code in _nodes)
        {
            WriteDoubles(writer, code.A.Cast<double>().ToArray());
            WriteDoubles(writer, code.ZValues());
            WriteDoubles(writer, code.XLast);
            writer.Write(code.Support.Length);
            foreach (var edge in code.Support)
            {
                writer.Write(edge.Input);
                writer.Write((int)edge.Op);
            }
            WriteDoubles(writer, code.SupportBias);
            writer.Write(code.Frozen);
            writer.Write(code.CodeFrozen);
            writer.Write(code.AdamStep);
            WriteDoubles(writer, code.AdamM);
            WriteDoubles(writer, code.AdamV);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote; the encoder must have been built with the same settings.</summary>
    public void Load(BinaryReader reader)
    {
        var dims = reader.ReadInt32();
        var count = reader.ReadInt32();
        if (dims != _settings.ProjectionDims || count != _nodes.Length)
        {
            throw new InvalidInputException(
                $"checkpoint: ISTA encoder state with {dims} dims and {count} nodes does not match this encoder ({_settings.ProjectionDims}, {_nodes.Length})");
        }
        StopFlag = reader.ReadBoolean();
        foreach (var code in _nodes)
        {
            var a = ReadDoubles(reader, code.A.Length);
            Buffer.BlockCopy(a, 0, code.A, 0, a.Length * sizeof(double));
            code.SetZ(ReadDoubles(reader, code.Rows));
            code.XLast = ReadDoubles(reader, code.XLast.Length);
            var supportCount = reader.ReadInt32();
            if (supportCount != code.Support.Length)
            {
                throw new InvalidInputException($"checkpoint: ISTA encoder state has a support of {supportCount} entries where {code.Support.Length} were expected");
            }
            var support = new GenotypeEdge[supportCount];
            for (var s = 0; s < support.Length; s++)
            {
                var input = reader.ReadInt32();
                var op = (Primitive)reader.ReadInt32();
                if (input < 0 || input >= CellTopology.InputCount(code.Node) || !Enum.IsDefined(op))
                {
                    throw new InvalidInputException($"checkpoint: ISTA encoder state has an impossible support entry (input {input}, op {(int)op})");
                }
                support[s] = new GenotypeEdge(op, input);
            }
            code.SetSupport(support, ReadDoubles(reader, support.Length));
            code.Frozen = reader.ReadBoolean();
            code.CodeFrozen = reader.ReadBoolean();
            code.Z.requires_grad_(!code.CodeFrozen);
            code.AdamStep = reader.ReadInt64();
            ReadDoubles(reader, code.Rows).CopyTo(code.AdamM, 0);
            var secondMoments = ReadDoubles(reader, code.Rows);
            // Adam's step count and second moments (running means of squares) are never negative
            if (code.AdamStep < 0 || secondMoments.Any(v => v < 0))
            {
                throw new InvalidInputException($"checkpoint: ISTA encoder state has a negative Adam step count ({code.AdamStep}) or second moment");
            }
            secondMoments.CopyTo(code.AdamV, 0);
        }
        for (var i = 0; i < _nodes.Length; i++)
        {
            _solvers[i] = new LassoSolver(_nodes[i].A, _settings.LassoAlpha, _settings.FitIntercept, _settings.LassoTolerance, _settings.LassoMaxIterations);
        }
        Genotype = GenotypeOf(_nodes.Select(n => n.XLast).ToArray());
    }

    public void Dispose()
    {
        foreach (var code in _nodes)
        {
            code.Dispose();
        }
    }

    private NodeCode Node(CellType type, int node)
    {
        CellTopology.CheckNode(node);
        return _nodes[((int)type * CellTopology.Nodes) + node];
    }

    private Genotype GenotypeOf(double[][] xs)
    {
        IEnumerable<GenotypeEdge> Cell(CellType type) => Enumerable.Range(0, CellTopology.Nodes)
            .SelectMany(node => SupportSelection.Pick(xs[((int)type * CellTopology.Nodes) + node], _settings.Rule));
        return new Genotype(Cell(CellType.Normal), Cell(CellType.Reduce));
    }

    private static void WriteDoubles(BinaryWriter writer, double[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values)
        {
            writer.Write(v);
        }
    }

    private static double[] ReadDoubles(BinaryReader reader, int expected)
    {
        var length = reader.ReadInt32();
        if (length != expected)
        {
            throw new InvalidInputException($"checkpoint: ISTA encoder state has {length} values where {expected} were expected");
        }
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = reader.ReadDouble();
            if (!double.IsFinite(values[i]))
            {
                throw new InvalidInputException($"checkpoint: ISTA encoder state holds a non-finite value ({values[i]})");
            }
        }
        return values;
    }
}
