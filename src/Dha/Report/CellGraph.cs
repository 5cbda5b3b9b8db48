using System.Globalization;
using System.Text;
using Dha.Nas;

namespace Dha.Report;

/// <summary>
/// One cell of a genotype drawn as a graph in SVG: the two cell inputs c_{k−2}, c_{k−1} on the left, the four nodes
/// left to right, the output c_k (the concatenation of the nodes) on the right, and one labelled edge per kept
/// (operation, input) pair. Each edge is a <c>g.edge</c> with <c>data-from</c> (the state it reads: 0, 1 = the
/// inputs, 2.. = node 0..), <c>data-to</c> (the node) and <c>data-op</c>.
/// </summary>
internal static class CellGraph
{
    private const double Width = 900, Height = 300, Radius = 20;

    public static string Render(CellType type, IReadOnlyList<GenotypeEdge> edges)
    {
        var states = new (double X, double Y, string Label)[2 + CellTopology.Nodes];
        states[0] = (50, 70, "c_{k-2}");
        states[1] = (50, 230, "c_{k-1}");
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            states[2 + node] = (230 + node * 150, node % 2 == 0 ? 95 : 205, node.ToString(CultureInfo.InvariantCulture));
        }
        var output = (X: Width - 50, Y: Height / 2);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"cell-graph\" data-cell=\"{type.ToString().ToLowerInvariant()}\" viewBox=\"0 0 {Svg.Pixel(Width)} {Svg.Pixel(Height)}\" width=\"{Svg.Pixel(Width)}\" height=\"{Svg.Pixel(Height)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append("<defs><marker id=\"arrow-").Append(type).Append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>");
        var marker = $"url(#arrow-{type})";
        for (var node = 0; node < CellTopology.Nodes; node++)
        {
            Edge(svg, (states[2 + node].X, states[2 + node].Y), output, marker, "#bbb", dashed: true);
        }
        for (var i = 0; i < edges.Count; i++)
        {
            var node = i / Genotype.EdgesPerNode;
            var edge = edges[i];
            // the two edges into a node bend to opposite sides, so that two edges between the same states stay apart
            var bend = i % 2 == 0 ? -1 : 1;
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"edge\" data-from=\"{edge.Input}\" data-to=\"{node}\" data-op=\"{Svg.Escape(edge.Op.ToText())}\">");
            var (mx, my) = Edge(svg, (states[edge.Input].X, states[edge.Input].Y), (states[2 + node].X, states[2 + node].Y), marker, OpColour(edge.Op), dashed: false, bend);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(mx)}\" y=\"{Svg.Pixel(my)}\" text-anchor=\"middle\" dominant-baseline=\"middle\" class=\"edge-label\">{Svg.Escape(edge.Op.ToText())}</text></g>");
        }
        foreach (var (x, y, label) in states)
        {
            Node(svg, x, y, label, label.StartsWith('c') ? "#fde8c8" : "#dbe9f6");
        }
        Node(svg, output.X, output.Y, "c_{k}", "#e2f0d9");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Draws a curved arrow between two circles and returns the middle of the curve (where its label goes).</summary>
    private static (double X, double Y) Edge(StringBuilder svg, (double X, double Y) from, (double X, double Y) to, string marker, string colour,
        bool dashed, int bend = 0)
    {
        double dx = to.X - from.X, dy = to.Y - from.Y;
        var length = Math.Sqrt(dx * dx + dy * dy);
        double ux = dx / length, uy = dy / length;
        // control point off the straight line, perpendicular to it
        var offset = bend * Math.Min(60, length / 4);
        double cx = (from.X + to.X) / 2 - uy * offset, cy = (from.Y + to.Y) / 2 + ux * offset;
        double sx = from.X + ux * Radius, sy = from.Y + uy * Radius, ex = to.X - ux * Radius, ey = to.Y - uy * Radius;
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"M{Svg.Pixel(sx)},{Svg.Pixel(sy)} Q{Svg.Pixel(cx)},{Svg.Pixel(cy)} {Svg.Pixel(ex)},{Svg.Pixel(ey)}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\"{(dashed ? " stroke-dasharray=\"4 3\"" : "")} marker-end=\"{marker}\"/>");
        return (0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey);
    }

    private static void Node(StringBuilder svg, double x, double y, string label, string fill) =>
        svg.Append(CultureInfo.InvariantCulture, $"<g class=\"state\"><circle cx=\"{Svg.Pixel(x)}\" cy=\"{Svg.Pixel(y)}\" r=\"{Svg.Pixel(Radius)}\" fill=\"{fill}\" stroke=\"#555\"/><text x=\"{Svg.Pixel(x)}\" y=\"{Svg.Pixel(y)}\" text-anchor=\"middle\" dominant-baseline=\"middle\">{Svg.Escape(label)}</text></g>");

    /// <summary>One colour per family of operation: convolutions, pools, skip.</summary>
    private static string OpColour(Primitive op) => op switch
    {
        Primitive.MaxPool3x3 or Primitive.AvgPool3x3 => "#2ca02c",
        Primitive.SkipConnect => "#ff7f0e",
        _ => "#1f77b4",
    };
}
