using System.Text.RegularExpressions;

namespace Dha;

/// <summary>
/// Writes a file so that readers never see it half-written: the content goes to a temporary file in the same
/// folder (<c>.NAME.PID.tmp</c>), is flushed to disk, and is then renamed over the target. A write that fails (a full
/// disk, a read-only place) leaves the previous file as it was and ends in an <see cref="IOException"/> naming the file.
/// </summary>
internal static partial class AtomicFile
{
    /// <param name="path">The file written.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="previous">
    /// Where the file <paramref name="path"/> held until now is kept (null = nowhere). <see cref="File.Replace(string, string, string)"/>
    /// moves it there as the new content takes its place, so at every moment one of the two names holds a complete file.
    /// </param>
    public static void Write(string path, Action<Stream> write, string? previous = null)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(directory, TemporaryName(Path.GetFileName(full)));
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (previous is not null && File.Exists(full))
            {
                File.Replace(temp, full, Path.GetFullPath(previous));
            }
            else
            {
                File.Move(temp, full, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{full}: cannot write ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>The temporary file this process writes <paramref name="fileName"/> through.</summary>
    public static string TemporaryName(string fileName) => $".{fileName}.{Environment.ProcessId}.tmp";

    /// <summary>
    /// Whether <paramref name="fileName"/> is named as <see cref="TemporaryName"/> names them (by any process): what a
    /// write killed before its rename leaves behind.
    /// </summary>
    public static bool IsTemporaryName(string fileName) => TemporaryPattern().IsMatch(fileName);

    [GeneratedRegex(@"^\..+\.[0-9]+\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryPattern();
}
