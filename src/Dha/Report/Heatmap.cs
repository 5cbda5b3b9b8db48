using System.Globalization;
using System.Text;

namespace Dha.Report;

/// <summary>
/// A matrix as an SVG grid of coloured cells, rows top to bottom. Each cell carries its value in <c>data-value</c>
/// (exact) with <c>data-row</c> and <c>data-col</c>, and a tooltip (<c>title</c>) naming its row and column.
/// </summary>
internal static class Heatmap
{
    /// <param name="values">The matrix.</param>
    /// <param name="rowLabels">One label per row, drawn left of the grid when <paramref name="cell"/> leaves room for text; null draws none.</param>
    /// <param name="columnLabels">One label per column, drawn above the grid (rotated); null draws none.</param>
    /// <param name="cell">The side of a cell in pixels.</param>
    /// <param name="diverging">Colour by sign around 0 (changes) instead of from 0 up (probabilities, counts).</param>
    /// <param name="annotate">Write each value into its cell.</param>
    public static string Render(double[,] values, IReadOnlyList<string>? rowLabels, IReadOnlyList<string>? columnLabels, double cell,
        bool diverging = false, bool annotate = false)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var scale = 0.0;
        foreach (var v in values)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }
        scale = scale > 0 ? scale : 1;
        double left = rowLabels is null ? 1 : 110, top = columnLabels is null ? 1 : 100;
        double width = left + columns * cell + (columnLabels is null ? 1 : 60), height = top + rows * cell + 1;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"heatmap\" viewBox=\"0 0 {Svg.Pixel(width)} {Svg.Pixel(height)}\" width=\"{Svg.Pixel(width)}\" height=\"{Svg.Pixel(height)}\" xmlns=\"http://www.w3.org/2000/svg\" data-scale=\"{Svg.Value(scale)}\">");
        for (var c = 0; c < columns && columnLabels is not null; c++)
        {
            var x = left + (c + 0.5) * cell;
            svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate({Svg.Pixel(x)} {Svg.Pixel(top - 4)}) rotate(-60)\">{Svg.Escape(columnLabels[c])}</text>");
        }
        for (var r = 0; r < rows; r++)
        {
            var y = top + r * cell;
            if (rowLabels is not null)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(left - 4)}\" y=\"{Svg.Pixel(y + cell / 2)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Svg.Escape(rowLabels[r])}</text>");
            }
            for (var c = 0; c < columns; c++)
            {
                var v = values[r, c];
                var t = v / scale;
                var colour = diverging ? Svg.Diverging(t) : Svg.Sequential(t);
                var x = left + c * cell;
                var name = rowLabels is null || columnLabels is null ? $"{r}, {c}" : $"{rowLabels[r]} → {columnLabels[c]}";
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"cell\" data-row=\"{r}\" data-col=\"{c}\" data-value=\"{Svg.Value(v)}\" x=\"{Svg.Pixel(x)}\" y=\"{Svg.Pixel(y)}\" width=\"{Svg.Pixel(cell)}\" height=\"{Svg.Pixel(cell)}\" fill=\"{colour}\">");
                svg.Append(CultureInfo.InvariantCulture, $"<title>{Svg.Escape(name)}: {Svg.Label(v)}</title></rect>");
                if (annotate)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(x + cell / 2)}\" y=\"{Svg.Pixel(y + cell / 2)}\" text-anchor=\"middle\" dominant-baseline=\"middle\" style=\"fill:{Svg.TextOn(t)}\" font-size=\"10\">{Svg.Label(v)}</text>");
                }
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Svg.Pixel(left)}\" y=\"{Svg.Pixel(top)}\" width=\"{Svg.Pixel(columns * cell)}\" height=\"{Svg.Pixel(rows * cell)}\" fill=\"none\" stroke=\"#999\"/>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
