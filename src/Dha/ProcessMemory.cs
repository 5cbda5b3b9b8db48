namespace Dha;

/// <summary>Resident memory of this process, read from /proc (Linux), in MiB; 0 where /proc is not available.</summary>
internal static class ProcessMemory
{
    /// <summary>Current resident set size.</summary>
    public static double ResidentMiB() => Read("VmRSS:");

    /// <summary>Peak resident set size since the process started.</summary>
    public static double PeakResidentMiB() => Read("VmHWM:");

    private static double Read(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return 0;
        }
        foreach (var line in File.ReadLines(status))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kib = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(kib, System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        return 0;
    }
}
