namespace Dha.Nas;

/// <summary>
/// The fixed wiring of a DARTS cell: 2 inputs, 4 intermediate nodes, node i reads from the i+2 earlier states, so
/// 2+3+4+5 = 14 edges; the output is the channel concat of the 4 nodes. Edges are numbered node-major
/// (node 0: edges 0–1, node 1: 2–4, node 2: 5–8, node 3: 9–13), and input j of a node is state j (0, 1 = cell inputs).
/// </summary>
internal static class CellTopology
{
    public const int Nodes = 4;

    public const int Edges = 14;

    /// <summary>Number of input states node <paramref name="node"/> can read: node + 2.</summary>
    public static int InputCount(int node) => node + 2;

    /// <summary>Index of the first edge of a node.</summary>
    public static int EdgeOffset(int node) => (node * (node + 3)) / 2;

    public static int EdgeIndex(int node, int input) => EdgeOffset(node) + input;

    /// <summary>In a reduction cell the edges from the two cell inputs use stride 2.</summary>
    public static int Stride(bool reduction, int input) => reduction && input < 2 ? 2 : 1;

    public static void CheckNode(int node)
    {
        if (node < 0 || node >= Nodes)
        {
            throw new ArgumentOutOfRangeException(nameof(node), node, "a cell has nodes 0..3");
        }
    }
}
