using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Dha.Tests.Report;

/// <summary>
/// Reads the figures of a report page (as written, or as Chromium's <c>--dump-dom</c> gives it back) with regular
/// expressions over its elements: the page's figures are flat and carry their data in attributes.
/// </summary>
internal static partial class ReportDom
{
    /// <summary>The markup of <c>figure#<paramref name="id"/></c>; fails if the page has none.</summary>
    public static string Figure(string html, string id)
    {
        var match = Regex.Match(html, $"<figure id=\"{id}\"[^>]*>(.*?)</figure>", RegexOptions.Singleline);
        Assert.True(match.Success, $"no figure #{id}");
        Assert.DoesNotContain("class=\"missing\"", match.Value[..match.Value.IndexOf('>')], StringComparison.Ordinal);
        return match.Groups[1].Value;
    }

    /// <summary>The attributes of every element with class <paramref name="cssClass"/> in <paramref name="html"/>, in order.</summary>
    public static List<Dictionary<string, string>> Elements(string html, string cssClass) =>
        [.. Element().Matches(html)
            .Select(m => Attribute().Matches(m.Groups[1].Value).ToDictionary(a => a.Groups[1].Value, a => WebUtility.HtmlDecode(a.Groups[2].Value)))
            .Where(a => a.TryGetValue("class", out var c) && c.Split(' ').Contains(cssClass))];

    /// <summary>A chart's series named <paramref name="name"/>: its (x, y) values.</summary>
    public static (double X, double Y)[] Series(string figure, string name)
    {
        var series = Elements(figure, "series").Where(s => s["data-name"] == name).ToArray();
        var points = Assert.Single(series)["data-points"];
        return [.. points.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var xy = p.Split(',');
            return (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture));
        })];
    }

    /// <summary>A heatmap's cells as a matrix; <paramref name="svg"/> holds one heatmap.</summary>
    public static double[,] Cells(string svg, int rows, int columns)
    {
        var cells = Elements(svg, "cell");
        Assert.Equal(rows * columns, cells.Count);
        var matrix = new double[rows, columns];
        foreach (var cell in cells)
        {
            matrix[int.Parse(cell["data-row"], CultureInfo.InvariantCulture), int.Parse(cell["data-col"], CultureInfo.InvariantCulture)] =
                double.Parse(cell["data-value"], CultureInfo.InvariantCulture);
        }
        return matrix;
    }

    [GeneratedRegex(@"<[a-zA-Z]+\s([^>]*)>")]
    private static partial Regex Element();

    [GeneratedRegex(@"([\w-]+)=""([^""]*)""")]
    private static partial Regex Attribute();
}
