namespace Dha;

/// <summary>
/// Reads a stream to its end within a limit, counting the bytes that arrive rather than trusting any length: a file
/// that is not what it claims (a link to <c>/dev/zero</c>) or a stream that never ends fails at the limit. It depends
/// on nothing else of the library, so Dha.Onnx compiles this file too.
/// </summary>
internal static class StreamBytes
{
    /// <summary>
    /// The rest of <paramref name="stream"/> if it holds at most <paramref name="limit"/> bytes, else null. The buffer
    /// grows with the bytes that arrive (from 1 MiB), so a small limit costs little and a large one is reached only by
    /// a stream that really holds that much.
    /// </summary>
    public static byte[]? ReadAtMost(Stream stream, long limit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[Math.Min(limit + 1, 1 << 20)];
        var length = 0;
        int read;
        while ((read = stream.Read(buffer, length, buffer.Length - length)) > 0)
        {
            length += read;
            if (length > limit)
            {
                return null;
            }
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(limit + 1, 2L * buffer.Length));
            }
        }
        return buffer[..length];
    }
}
