using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Dha.Nas;

/// <summary>
/// The discrete architecture that search produces and deployment consumes: for the normal and the reduction cell,
/// 4 nodes × 2 (operation, input) pairs (entries 2i and 2i+1 belong to node i; node i may read states 0..i+1).
/// Immutable, compared by value, with a DARTS-vocabulary text form (<see cref="ToString"/>/<see cref="Parse"/>)
/// and JSON (<see cref="ToJson"/>/<see cref="FromJson"/>), so it can be logged, stored and read back without eval.
/// </summary>
internal sealed partial record Genotype
{
    /// <summary>Pairs kept per node.</summary>
    public const int EdgesPerNode = 2;

    public Genotype(IEnumerable<GenotypeEdge> normal, IEnumerable<GenotypeEdge> reduce)
    {
        Normal = normal.ToArray();
        Reduce = reduce.ToArray();
        var problem = Check(Normal, "normal") ?? Check(Reduce, "reduce");
        if (problem is not null)
        {
            throw new ArgumentException($"Genotype: {problem}");
        }
    }

    public IReadOnlyList<GenotypeEdge> Normal { get; }

    public IReadOnlyList<GenotypeEdge> Reduce { get; }

    /// <summary>The DARTS (V2, second order) CIFAR-10 cell, kept as a fixture: 3.3 M parameters at C=36, 20 cells.</summary>
    public static Genotype DartsV2 { get; } = Parse(
        "normal=[sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 dil_conv_3x3@2] "
        + "reduce=[max_pool_3x3@0 max_pool_3x3@1 | skip_connect@2 max_pool_3x3@1 | max_pool_3x3@0 skip_connect@2 | skip_connect@2 max_pool_3x3@1]");

    /// <summary>All 8 entries of one cell type.</summary>
    public IReadOnlyList<GenotypeEdge> Cell(CellType type) => type == CellType.Normal ? Normal : Reduce;

    /// <summary>The 2 entries of one node.</summary>
    public IReadOnlyList<GenotypeEdge> Node(CellType type, int node)
    {
        CellTopology.CheckNode(node);
        return [Cell(type)[EdgesPerNode * node], Cell(type)[(EdgesPerNode * node) + 1]];
    }

    public bool Equals(Genotype? other) =>
        other is not null && Normal.SequenceEqual(other.Normal) && Reduce.SequenceEqual(other.Reduce);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var edge in Normal.Concat(Reduce))
        {
            hash.Add(edge);
        }
        return hash.ToHashCode();
    }

    /// <summary><c>normal=[sep_conv_3x3@0 sep_conv_3x3@1 | …] reduce=[…]</c>, nodes separated by <c>|</c>.</summary>
    public override string ToString() => $"normal=[{Format(Normal)}] reduce=[{Format(Reduce)}]";

    /// <summary>
    /// Reads <see cref="ToString"/>'s form; DARTS's Python form (<c>normal=[('sep_conv_3x3', 0), …]</c>) is accepted too.
    /// Throws <see cref="InvalidInputException"/> on malformed text.
    /// </summary>
    public static Genotype Parse(string text)
    {
        var normal = ParseCell(text, "normal");
        var reduce = ParseCell(text, "reduce");
        return Create(normal, reduce, "genotype");
    }

    /// <summary><c>{"normal":[{"op":"sep_conv_3x3","input":0},…],"reduce":[…]}</c>.</summary>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["normal"] = ToJsonArray(Normal),
            ["reduce"] = ToJsonArray(Reduce),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Reads <see cref="ToJson"/>'s form; throws <see cref="InvalidInputException"/> on malformed JSON.</summary>
    public static Genotype FromJson(string json)
    {
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidInputException("genotype JSON: not an object");
            return Create(FromJsonArray(root["normal"], "normal"), FromJsonArray(root["reduce"], "reduce"), "genotype JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"genotype JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidInputException($"genotype JSON: {e.Message}");
        }
    }

    private static Genotype Create(List<GenotypeEdge> normal, List<GenotypeEdge> reduce, string source)
    {
        var problem = Check(normal, "normal") ?? Check(reduce, "reduce");
        if (problem is not null)
        {
            throw new InvalidInputException($"{source}: {problem}");
        }
        return new Genotype(normal, reduce);
    }

    private static string? Check(IReadOnlyList<GenotypeEdge> edges, string cell)
    {
        if (edges.Count != CellTopology.Nodes * EdgesPerNode)
        {
            return $"{cell} cell needs {CellTopology.Nodes * EdgesPerNode} (op, input) pairs, got {edges.Count}";
        }
        for (var i = 0; i < edges.Count; i++)
        {
            var node = i / EdgesPerNode;
            if (!Enum.IsDefined(edges[i].Op))
            {
                return $"{cell} node {node}: unknown operation {(int)edges[i].Op}";
            }
            if (edges[i].Input < 0 || edges[i].Input >= CellTopology.InputCount(node))
            {
                return $"{cell} node {node} reads state {edges[i].Input}, allowed 0..{CellTopology.InputCount(node) - 1}";
            }
        }
        return null;
    }

    private static string Format(IReadOnlyList<GenotypeEdge> edges) =>
        string.Join(" | ", edges.Chunk(EdgesPerNode).Select(node => string.Join(' ', node.Select(e => e.ToString()))));

    [GeneratedRegex(@"(?<![\w])(normal|reduce)\s*=\s*\[", RegexOptions.CultureInvariant)]
    private static partial Regex CellStart();

    [GeneratedRegex(@"\(\s*['""]?([A-Za-z0-9_]+)['""]?\s*,\s*(-?\d+)\s*\)|([A-Za-z0-9_]+)@(-?\d+)|([^\s|,])", RegexOptions.CultureInvariant)]
    private static partial Regex Entry();

    private static List<GenotypeEdge> ParseCell(string text, string cell)
    {
        var start = CellStart().Matches(text).FirstOrDefault(m => m.Groups[1].Value == cell)
            ?? throw new InvalidInputException($"genotype: no '{cell}=[...]' in '{text}'");
        var open = start.Index + start.Length;
        var depth = 1;
        var end = open;
        while (end < text.Length && depth > 0)
        {
            depth += text[end] switch { '[' => 1, ']' => -1, _ => 0 };
            end++;
        }
        if (depth != 0)
        {
            throw new InvalidInputException($"genotype: unclosed '[' after '{cell}='");
        }
        var body = text[open..(end - 1)];
        var edges = new List<GenotypeEdge>();
        foreach (Match m in Entry().Matches(body))
        {
            if (m.Groups[5].Success)
            {
                throw new InvalidInputException($"genotype: cannot read '{body}' (expected entries like sep_conv_3x3@0)");
            }
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[3].Value;
            var input = m.Groups[1].Success ? m.Groups[2].Value : m.Groups[4].Value;
            edges.Add(new GenotypeEdge(Primitives.Parse(name), int.Parse(input, CultureInfo.InvariantCulture)));
        }
        return edges;
    }

    private static JsonArray ToJsonArray(IReadOnlyList<GenotypeEdge> edges) =>
        new(edges.Select(e => (JsonNode)new JsonObject { ["op"] = e.Op.ToText(), ["input"] = e.Input }).ToArray());

    private static List<GenotypeEdge> FromJsonArray(JsonNode? node, string cell)
    {
        if (node is not JsonArray array)
        {
            throw new InvalidInputException($"genotype JSON: '{cell}' must be an array");
        }
        var edges = new List<GenotypeEdge>();
        foreach (var item in array)
        {
            if (item is not JsonObject entry || entry["op"] is not JsonValue op || entry["input"] is not JsonValue input)
            {
                throw new InvalidInputException($"genotype JSON: each '{cell}' entry needs \"op\" and \"input\"");
            }
            edges.Add(new GenotypeEdge(Primitives.Parse(op.GetValue<string>()), input.GetValue<int>()));
        }
        return edges;
    }
}
