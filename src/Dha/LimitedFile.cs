using System.Text;

namespace Dha;

/// <summary>
/// Reads a small text file (a config, a model manifest) with a size limit, so that a file that is not what it claims
/// (a huge file, a link to <c>/dev/zero</c>) fails at once instead of filling the memory. The length the file system
/// reports is not trusted: devices report none.
/// </summary>
internal static class LimitedFile
{
    /// <summary>The limit of config and manifest files: 1 MiB, thousands of times what they hold.</summary>
    public const int TextLimit = 1 << 20;

    /// <exception cref="InvalidInputException">The file is larger than <paramref name="limit"/> bytes.</exception>
    public static string ReadAllText(string path, int limit = TextLimit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var bytes = ReadAtMost(stream, limit)
            ?? throw new InvalidInputException($"{path}: larger than {limit / 1024} KiB; not a file dha reads this way");
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
    }

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
