using System.Globalization;
using System.Net;

namespace Dha.Report;

/// <summary>
/// The few pieces every figure of the report shares: numbers written so that they read back exactly (the figures
/// carry their data in <c>data-*</c> attributes, so a reader or a test gets the values, not pixel positions), text
/// escaped for HTML and SVG, and the two colour scales.
/// </summary>
internal static class Svg
{
    /// <summary>A value as it reads back exactly (round-trip form, invariant culture).</summary>
    public static string Value(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A pixel coordinate: two decimals are finer than any screen.</summary>
    public static string Pixel(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A tick or cell label: up to six significant digits (a tick's float noise, 0.30000000000000004, goes).</summary>
    public static string Label(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Escape(string text) => WebUtility.HtmlEncode(text);

    /// <summary>White (0) to dark blue (1), for probabilities and counts scaled to [0, 1].</summary>
    public static string Sequential(double t)
    {
        t = Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1);
        return Rgb(Mix(255, 8, t), Mix(255, 48, t), Mix(255, 107, t));
    }

    /// <summary>Red (−1) through white (0) to blue (+1), for changes scaled to [−1, 1].</summary>
    public static string Diverging(double t)
    {
        t = Math.Clamp(double.IsFinite(t) ? t : 0, -1, 1);
        return t >= 0 ? Rgb(Mix(255, 33, t), Mix(255, 102, t), Mix(255, 172, t)) : Rgb(Mix(255, 178, -t), Mix(255, 24, -t), Mix(255, 43, -t));
    }

    /// <summary>A text colour that stays readable on <see cref="Sequential"/>(<paramref name="t"/>).</summary>
    public static string TextOn(double t) => t > 0.55 ? "#fff" : "#222";

    private static int Mix(int from, int to, double t) => (int)Math.Round(from + (to - from) * t);

    private static string Rgb(int r, int g, int b) => $"#{r:x2}{g:x2}{b:x2}";
}
