using System.Diagnostics;

namespace Dha.Tests.Report;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>, installed by .ci/run) rendering a page: the DOM after rendering and
/// the browser's console messages (logged to stderr as <c>…:CONSOLE:…</c> lines with <c>--enable-logging=stderr</c>).
/// </summary>
internal static class Chromium
{
    public static (string Dom, string[] Console) Render(string page, params string[] arguments)
    {
        using var profile = new TempFolder();
        var start = new ProcessStartInfo("chromium") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
            $"--user-data-dir={profile.Path}", .. arguments, new Uri(page).AbsoluteUri])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var dom = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "chromium did not finish in 60 s");
        Assert.Equal(0, process.ExitCode);
        return (dom, [.. error.Result.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal))]);
    }
}
