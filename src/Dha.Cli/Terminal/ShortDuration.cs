using System.Globalization;

namespace Dha.Cli.Terminal;

/// <summary>A duration in at most two units, as a progress line shows it: <c>45s</c>, <c>3m12s</c>, <c>1h05m</c>.</summary>
internal static class ShortDuration
{
    public static string Format(TimeSpan duration)
    {
        var seconds = Math.Max(0, (long)Math.Round(duration.TotalSeconds));
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60:00}s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{seconds / 60 % 60:00}m"),
        };
    }

    /// <summary>Seconds with one decimal below a minute (an epoch's time), else as <see cref="Format"/>.</summary>
    public static string Seconds(double seconds) =>
        seconds < 59.95 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F1}s") : Format(TimeSpan.FromSeconds(seconds));
}
