using Dha.Optimisers;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The architecture of the DARTS supernet (dha-method §2, §8.5): per cell type a table α of 14 edges × 8 ops, the 7
/// candidate ops in <see cref="Primitive"/> order and <c>none</c> last (the reference's order). An edge mixes its ops
/// with the softmax of its row; <c>none</c> outputs zeros, so it only takes weight from the others. The values live in
/// doubles and are moved by Adam (betas 0.5 and 0.999, L2 decay added to the gradient) on the gradient the
/// <see cref="DartsArchitect"/> leaves on <see cref="Parameters"/>.
/// </summary>
internal sealed class DartsAlphas : IDisposable
{
    /// <summary>Columns of a table: the 7 candidate ops, then <c>none</c>.</summary>
    public const int Ops = Primitives.Count + 1;

    /// <summary>The column of the zero op <c>none</c>.</summary>
    public const int None = Primitives.Count;

    private const int Values = CellTopology.Edges * Ops;
    private const double Beta1 = 0.5;
    private const double Beta2 = 0.999;

    private static readonly CellType[] Types = [CellType.Normal, CellType.Reduce];

    private readonly double _learningRate;
    private readonly double _weightDecay;
    private readonly Tensor[] _tables;
    private readonly double[][] _values;
    private readonly double[][] _firstMoments;
    private readonly double[][] _secondMoments;
    private long _steps;

    /// <param name="learningRate">Adam's learning rate (the reference: 3e-4).</param>
    /// <param name="weightDecay">The L2 decay added to α's gradient (the reference: 1e-3).</param>
    /// <param name="seed">Seeds the initial α = 1e-3·N(0, 1); torch's global generator is not touched.</param>
    /// <param name="dtype">Type of the tables the network computes with (float64 for gradient checks).</param>
    public DartsAlphas(double learningRate, double weightDecay, int seed, ScalarType dtype = ScalarType.Float32)
    {
        _learningRate = learningRate;
        _weightDecay = weightDecay;
        using var generator = new Generator(unchecked((ulong)seed));
        _values = new double[Types.Length][];
        _tables = new Tensor[Types.Length];
        for (var t = 0; t < Types.Length; t++)
        {
            using var draw = randn([Values], ScalarType.Float64, generator: generator);
            _values[t] = draw.mul(1e-3).data<double>().ToArray();
            _tables[t] = zeros([CellTopology.Edges, Ops], dtype).DetachFromDisposeScope().requires_grad_(true);
        }
        _firstMoments = [.. Types.Select(_ => new double[Values])];
        _secondMoments = [.. Types.Select(_ => new double[Values])];
        CopyToTables();
    }

    /// <summary>The two tables (normal, reduce), leaves of the graph; their gradients are what <see cref="Step"/> follows.</summary>
    public IReadOnlyList<Tensor> Parameters => _tables;

    /// <summary>The genotype DARTS reads off the current weights (<see cref="DartsGenotypeRule"/>).</summary>
    public Genotype Genotype => DartsGenotypeRule.Derive(Weights(CellType.Normal), Weights(CellType.Reduce));

    /// <summary>The softmax of every row of one cell type's α, [edge, op], computed in doubles.</summary>
    public double[,] Weights(CellType type)
    {
        var alpha = _values[(int)type];
        var weights = new double[CellTopology.Edges, Ops];
        for (var edge = 0; edge < CellTopology.Edges; edge++)
        {
            var row = alpha.AsSpan(edge * Ops, Ops);
            var max = row.ToArray().Max();
            var sum = 0.0;
            for (var k = 0; k < Ops; k++)
            {
                sum += Math.Exp(row[k] - max);
            }
            for (var k = 0; k < Ops; k++)
            {
                weights[edge, k] = Math.Exp(row[k] - max) / sum;
            }
        }
        return weights;
    }

    /// <summary>
    /// The supernet's architecture: every edge runs its 7 ops, each scaled by its softmax weight (a 0-dim tensor of
    /// the graph when <paramref name="differentiable"/>, a constant otherwise); <c>none</c> adds nothing.
    /// </summary>
    public Architecture Mix(bool differentiable)
    {
        SupportEntry[][] Cell(CellType type)
        {
            var table = differentiable ? _tables[(int)type] : _tables[(int)type].detach();
            var weights = nn.functional.softmax(table, 1);
            return [.. Enumerable.Range(0, CellTopology.Nodes).Select(node => Enumerable.Range(0, CellTopology.InputCount(node))
                .SelectMany(input => Primitives.All.Select(op => new SupportEntry(input, op, weights[CellTopology.EdgeIndex(node, input), (int)op])))
                .ToArray())];
        }
        return new Architecture(Cell(CellType.Normal), Cell(CellType.Reduce));
    }

    /// <summary>Drops the gradients of the tables.</summary>
    public void ZeroGrad()
    {
        foreach (var table in _tables)
        {
            table.grad = null;
        }
    }

    /// <summary>One Adam step on every table that has a gradient.</summary>
    public void Step()
    {
        _steps++;
        for (var t = 0; t < Types.Length; t++)
        {
            if (_tables[t].grad is not { } grad)
            {
                continue;
            }
            using var scope = NewDisposeScope();
            var gradient = grad.to(ScalarType.Float64).data<double>().ToArray();
            Adam.Step(_values[t], gradient, _firstMoments[t], _secondMoments[t], _steps, _learningRate, Beta1, Beta2, _weightDecay);
        }
        CopyToTables();
    }

    /// <summary>Writes α, Adam's moments and its step count; the checkpoint container versions the format.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Values);
        writer.Write(_steps);
        for (var t = 0; t < Types.Length; t++)
        {
            foreach (var values in new[] { _values[t], _firstMoments[t], _secondMoments[t] })
            {
                foreach (var v in values)
                {
                    writer.Write(v);
                }
            }
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    /// <exception cref="InvalidInputException">The data is not a DARTS α state, or holds impossible values.</exception>
    public void Load(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count != Values)
        {
            throw new InvalidInputException($"checkpoint: the DARTS architecture state has {count} values per cell where {Values} were expected");
        }
        var steps = reader.ReadInt64();
        var loaded = new double[Types.Length * 3][];
        for (var i = 0; i < loaded.Length; i++)
        {
            loaded[i] = new double[Values];
            for (var j = 0; j < Values; j++)
            {
                loaded[i][j] = reader.ReadDouble();
            }
        }
        // Adam's step count and second moments (running means of squares) are never negative
        if (steps < 0 || loaded.Any(values => values.Any(v => !double.IsFinite(v))) || loaded.Where((_, i) => i % 3 == 2).Any(values => values.Any(v => v < 0)))
        {
            throw new InvalidInputException("checkpoint: the DARTS architecture state holds a non-finite value, a negative second moment or a negative step count");
        }
        _steps = steps;
        for (var t = 0; t < Types.Length; t++)
        {
            loaded[3 * t].CopyTo(_values[t], 0);
            loaded[(3 * t) + 1].CopyTo(_firstMoments[t], 0);
            loaded[(3 * t) + 2].CopyTo(_secondMoments[t], 0);
        }
        CopyToTables();
    }

    public void Dispose()
    {
        foreach (var table in _tables)
        {
            table.Dispose();
        }
    }

    private void CopyToTables()
    {
        using var noGrad = no_grad();
        for (var t = 0; t < Types.Length; t++)
        {
            using var source = tensor(_values[t], ScalarType.Float64).reshape(CellTopology.Edges, Ops);
            _tables[t].copy_(source);
        }
    }
}
