using System.Globalization;
using System.Text;

namespace Dha.Report;

/// <summary>
/// The HTML page around the figures: one file with its style inline and no script, so it opens offline and loads
/// nothing from anywhere. Each figure is a <c>figure</c> with a stable id; a figure the run's files cannot give (a
/// run that learns no policy, or has not finished) is still there, with class <c>missing</c> and the reason.
/// </summary>
internal sealed class ReportPage(string title)
{
    private const string Style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; color: #222; padding: 0 12px; }
        h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; }
        figure { margin: 8px 0 16px; } figcaption { color: #555; margin: 4px 0; max-width: 900px; }
        figure.missing p { color: #888; font-style: italic; }
        svg text { font: 11px system-ui, sans-serif; fill: #333; }
        svg .edge-label { font-size: 11px; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
        table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: left; border-bottom: 1px solid #eee; vertical-align: middle; }
        td.number { text-align: right; font-variant-numeric: tabular-nums; }
        img.sample { width: 56px; height: 56px; image-rendering: pixelated; margin: 1px; border: 1px solid #ddd; }
        .small-multiples { display: flex; flex-wrap: wrap; gap: 10px; } .small-multiples div { text-align: center; color: #555; }
        """;

    private readonly StringBuilder _body = new();

    /// <summary>A section heading.</summary>
    public void Section(string heading) => _body.Append(CultureInfo.InvariantCulture, $"<h2>{Svg.Escape(heading)}</h2>\n");

    /// <summary>A figure: <paramref name="html"/> (SVG or HTML, already escaped) under a caption.</summary>
    public void Figure(string id, string caption, string html) =>
        _body.Append(CultureInfo.InvariantCulture, $"<figure id=\"{id}\"><figcaption>{Svg.Escape(caption)}</figcaption>{html}</figure>\n");

    /// <summary>A figure the run's files cannot give, with the reason.</summary>
    public void Missing(string id, string reason) =>
        _body.Append(CultureInfo.InvariantCulture, $"<figure id=\"{id}\" class=\"missing\"><p>{Svg.Escape(reason)}</p></figure>\n");

    /// <summary>A paragraph of plain text.</summary>
    public void Paragraph(string text) => _body.Append(CultureInfo.InvariantCulture, $"<p>{Svg.Escape(text)}</p>\n");

    public string Html() =>
        $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Svg.Escape(title)}</title>"
        + $"<link rel=\"icon\" href=\"data:,\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{Style}</style></head>\n"
        + $"<body><h1>{Svg.Escape(title)}</h1>\n{_body}</body></html>\n";
}
