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
        var bytes = StreamBytes.ReadAtMost(stream, limit)
            ?? throw new InvalidInputException($"{path}: larger than {limit / 1024} KiB; not a file dha reads this way");
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(bytes).TrimStart('\uFEFF');
    }
}
