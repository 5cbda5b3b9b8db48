using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// What a <see cref="SearchNetwork"/> computes with: for each cell type and node, the support entries
/// (input, op, scalar). The network owns weights only; the architecture is an argument of its forward pass, made by
/// <see cref="IstaEncoder.Project"/> once per step (or fixed, in the architecture-frozen phase).
/// </summary>
internal sealed class Architecture
{
    private readonly SupportEntry[][] _normal;
    private readonly SupportEntry[][] _reduce;

    /// <param name="normal">4 lists of entries (one per node) for the normal cell.</param>
    /// <param name="reduce">4 lists of entries for the reduction cell.</param>
    public Architecture(IReadOnlyList<IReadOnlyList<SupportEntry>> normal, IReadOnlyList<IReadOnlyList<SupportEntry>> reduce)
    {
        _normal = Copy(normal, "normal");
        _reduce = Copy(reduce, "reduce");
    }

    /// <summary>The support entries of a node.</summary>
    public IReadOnlyList<SupportEntry> Support(CellType type, int node)
    {
        CellTopology.CheckNode(node);
        return (type == CellType.Normal ? _normal : _reduce)[node];
    }

    /// <summary>True when every node's (input, op) pairs are exactly the genotype's (order ignored).</summary>
    /// <summary>Every support entry's scalar: the normal cell's nodes, then the reduction cell's, each in support order.</summary>
    internal IEnumerable<Tensor> Scalars => _normal.Concat(_reduce).SelectMany(node => node).Select(entry => entry.Scalar);

    /// <summary>The same support with <paramref name="scalars"/> (in the order of <see cref="Scalars"/>) as its scalars.</summary>
    internal Architecture WithScalars(IReadOnlyList<Tensor> scalars)
    {
        var count = _normal.Concat(_reduce).Sum(node => node.Length);
        if (scalars.Count != count)
        {
            throw new ArgumentException($"Architecture.WithScalars: {scalars.Count} scalars for {count} support entries");
        }
        var next = 0;
        IReadOnlyList<SupportEntry>[] Cell(SupportEntry[][] nodes) =>
            [.. nodes.Select(node => (IReadOnlyList<SupportEntry>)[.. node.Select(entry => entry with { Scalar = scalars[next++] })])];
        var normal = Cell(_normal);
        return new Architecture(normal, Cell(_reduce));
    }

    public bool Matches(Genotype genotype)
    {
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            for (var node = 0; node < CellTopology.Nodes; node++)
            {
                var mine = Support(type, node).Select(e => new GenotypeEdge(e.Op, e.Input)).OrderBy(e => e.Input).ThenBy(e => e.Op);
                var theirs = genotype.Node(type, node).OrderBy(e => e.Input).ThenBy(e => e.Op);
                if (!mine.SequenceEqual(theirs))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>
    /// An architecture with the genotype's pairs and constant scalars (8 per cell type, in genotype order): the
    /// architecture-fixed view of a genotype, used for tests and for training a given genotype in the search network.
    /// </summary>
    internal static Architecture FromGenotype(Genotype genotype, IReadOnlyList<double> normalScalars, IReadOnlyList<double> reduceScalars, ScalarType dtype = ScalarType.Float32)
    {
        SupportEntry[][] Build(CellType type, IReadOnlyList<double> scalars)
        {
            var cell = genotype.Cell(type);
            return Enumerable.Range(0, CellTopology.Nodes)
                .Select(node => Enumerable.Range(Genotype.EdgesPerNode * node, Genotype.EdgesPerNode)
                    .Select(i => new SupportEntry(cell[i].Input, cell[i].Op, tensor(scalars[i], dtype)))
                    .ToArray())
                .ToArray();
        }
        return new Architecture(Build(CellType.Normal, normalScalars), Build(CellType.Reduce, reduceScalars));
    }

    private static SupportEntry[][] Copy(IReadOnlyList<IReadOnlyList<SupportEntry>> nodes, string cell)
    {
        if (nodes.Count != CellTopology.Nodes)
        {
            throw new ArgumentException($"Architecture: the {cell} cell needs {CellTopology.Nodes} nodes, got {nodes.Count}");
        }
        var copy = new SupportEntry[CellTopology.Nodes][];
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            copy[node] = nodes[node].ToArray();
            foreach (var entry in copy[node])
            {
                if (entry.Input < 0 || entry.Input >= CellTopology.InputCount(node) || entry.Scalar.numel() != 1)
                {
                    throw new ArgumentException(
                        $"Architecture: {cell} node {node} has entry ({entry.Input}, {entry.Op}); inputs are 0..{node + 1} and the scalar is one number");
                }
            }
        }
        return copy;
    }
}
