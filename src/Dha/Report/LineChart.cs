using System.Globalization;
using System.Text;

namespace Dha.Report;

/// <summary>One line of a <see cref="LineChart"/>: <paramref name="Name"/> names its data (<c>data-name</c>), <paramref name="Label"/> is shown in the legend.</summary>
internal sealed record ChartSeries(string Name, string Label, string Color, IReadOnlyList<(double X, double Y)> Points, double Width = 1.5);

/// <summary>
/// A line chart as inline SVG: linear axes with round ticks, one polyline per series and a legend. Each polyline
/// carries its values in <c>data-points</c> ("x,y x,y …", exact), beside the pixel coordinates it draws.
/// </summary>
internal static class LineChart
{
    private const double Width = 640, Left = 70, Right = 16, Top = 14, PlotHeight = 208, LegendRow = 16;

    /// <summary>The chart; points that are not finite are left out.</summary>
    public static string Render(string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
        var (xMin, xMax) = Range(points.Select(p => p.X));
        var (yMin, yMax) = Range(points.Select(p => p.Y));
        var xTicks = Ticks(xMin, xMax);
        var yTicks = Ticks(yMin, yMax);
        (xMin, xMax) = (Math.Min(xMin, xTicks[0]), Math.Max(xMax, xTicks[^1]));
        (yMin, yMax) = (Math.Min(yMin, yTicks[0]), Math.Max(yMax, yTicks[^1]));
        const double plotWidth = Width - Left - Right, plotHeight = PlotHeight;
        var legend = LegendPositions(series);
        var height = Top + plotHeight + 46 + legend.Max(p => p.Y + LegendRow);
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotWidth;
        double Y(double y) => Top + (yMax - y) / (yMax - yMin) * plotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Svg.Pixel(Width)} {Svg.Pixel(height)}\" width=\"{Svg.Pixel(Width)}\" height=\"{Svg.Pixel(height)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Svg.Pixel(Left)}\" y=\"{Svg.Pixel(Top)}\" width=\"{Svg.Pixel(plotWidth)}\" height=\"{Svg.Pixel(plotHeight)}\" fill=\"#fff\" stroke=\"#bbb\"/>");
        foreach (var t in xTicks)
        {
            var x = Svg.Pixel(X(t));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Svg.Pixel(Top)}\" y2=\"{Svg.Pixel(Top + plotHeight)}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{Svg.Pixel(Top + plotHeight + 14)}\" text-anchor=\"middle\">{Svg.Label(t)}</text>");
        }
        foreach (var t in yTicks)
        {
            var y = Svg.Pixel(Y(t));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.Pixel(Left)}\" x2=\"{Svg.Pixel(Left + plotWidth)}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#eee\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(Left - 4)}\" y=\"{y}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Svg.Label(t)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(Left + plotWidth / 2)}\" y=\"{Svg.Pixel(Top + plotHeight + 30)}\" text-anchor=\"middle\">{Svg.Escape(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {Svg.Pixel(Top + plotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">{Svg.Escape(yLabel)}</text>");
        foreach (var (s, (legendX, legendRow)) in series.Zip(legend))
        {
            var kept = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToArray();
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-name=\"{Svg.Escape(s.Name)}\" data-points=\"{string.Join(' ', kept.Select(p => $"{Svg.Value(p.X)},{Svg.Value(p.Y)}"))}\" ");
            svg.Append(CultureInfo.InvariantCulture, $"points=\"{string.Join(' ', kept.Select(p => $"{Svg.Pixel(X(p.X))},{Svg.Pixel(Y(p.Y))}"))}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"{Svg.Pixel(s.Width)}\"/>");
            if (kept.Length == 1)
            {
                // a single point draws no line
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Svg.Pixel(X(kept[0].X))}\" cy=\"{Svg.Pixel(Y(kept[0].Y))}\" r=\"3\" fill=\"{s.Color}\"/>");
            }
            var legendY = Top + plotHeight + 58 + legendRow;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.Pixel(legendX)}\" x2=\"{Svg.Pixel(legendX + 18)}\" y1=\"{Svg.Pixel(legendY - 4)}\" y2=\"{Svg.Pixel(legendY - 4)}\" stroke=\"{s.Color}\" stroke-width=\"3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.Pixel(legendX + 22)}\" y=\"{Svg.Pixel(legendY)}\">{Svg.Escape(s.Label)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Where each legend entry goes: left to right, on a new row when the chart's width is used up.</summary>
    private static (double X, double Y)[] LegendPositions(IReadOnlyList<ChartSeries> series)
    {
        var positions = new (double X, double Y)[Math.Max(series.Count, 1)];
        double x = Left, y = 0;
        for (var i = 0; i < series.Count; i++)
        {
            // about 6.5 pixels a character at 11 px
            var width = 34 + 6.5 * series[i].Label.Length;
            if (x + width > Width && x > Left)
            {
                (x, y) = (Left, y + LegendRow);
            }
            positions[i] = (x, y);
            x += width;
        }
        return positions;
    }

    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToArray();
        if (list.Length == 0)
        {
            return (0, 1);
        }
        double min = list.Min(), max = list.Max();
        if (max - min <= Math.Abs(max) * 1e-12)
        {
            // a flat line: a band around it, so it is drawn in the middle
            var pad = max == 0 ? 1 : Math.Abs(max) * 0.05;
            return (min - pad, max + pad);
        }
        return (min, max);
    }

    /// <summary>About five round ticks (1, 2 or 5 × 10^k apart) that cover [min, max].</summary>
    internal static double[] Ticks(double min, double max)
    {
        var raw = (max - min) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        var first = Math.Floor(min / step);
        var last = Math.Ceiling(max / step);
        return [.. Enumerable.Range(0, (int)(last - first) + 1).Select(i => (first + i) * step)];
    }
}
