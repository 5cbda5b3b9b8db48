namespace Dha;

/// <summary>
/// Writes a file so that readers never see it half-written: the content goes to a temporary file in the same
/// folder, is flushed to disk, and is then renamed over the target.
/// </summary>
internal static class AtomicFile
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
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
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
}
