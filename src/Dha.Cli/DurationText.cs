using System.Globalization;

namespace Dha.Cli;

/// <summary>Reads a duration as <c>dha search --time</c> takes it: a positive number with a unit, <c>90s</c>, <c>4m</c>, <c>1.5h</c>.</summary>
internal static class DurationText
{
    /// <summary>The seconds <paramref name="text"/> stands for.</summary>
    /// <exception cref="InvalidInputException">Not a positive number followed by s, m or h.</exception>
    public static double Seconds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().ToLowerInvariant();
        var unit = trimmed.Length > 0 ? trimmed[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 } : 0;
        if (unit > 0
            && double.TryParse(trimmed[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count)
            && count > 0 && double.IsFinite(count * unit))
        {
            return count * unit;
        }
        throw new InvalidInputException($"--time {text}: expected a positive duration with a unit, e.g. 90s, 4m or 1h");
    }
}
