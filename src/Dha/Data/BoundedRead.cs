namespace Dha.Data;

/// <summary>
/// Reads a payload whose length a header claims, without trusting the claim: a claim over the limit is refused
/// before anything is read, and the buffer grows with the bytes that really arrive, so a damaged 100-byte file that
/// announces 2 GB costs 100 bytes, not 2 GB.
/// </summary>
internal static class BoundedRead
{
    /// <summary>The most bytes one archive entry, dataset file or idx payload may hold (1 GiB; the largest CIFAR file is 155 MB).</summary>
    internal const long MaxBytes = 1L << 30;

    private const int InitialBuffer = 1 << 20;

    /// <summary>
    /// Exactly <paramref name="claimed"/> bytes of <paramref name="stream"/>, or null if it ends sooner; the stream may
    /// hold more (the caller checks what follows).
    /// </summary>
    /// <param name="stream">Where the payload is read from.</param>
    /// <param name="claimed">The length a header announces.</param>
    /// <param name="what">Names the file (or entry) in errors.</param>
    /// <exception cref="InvalidInputException">The claim is negative or over <see cref="MaxBytes"/>.</exception>
    public static byte[]? Exactly(Stream stream, long claimed, string what)
    {
        CheckClaim(claimed, what);
        var buffer = new byte[Math.Min(claimed, InitialBuffer)];
        var filled = 0;
        while (filled < claimed)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(claimed, 2L * buffer.Length));
            }
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                return null;
            }
            filled += read;
        }
        return buffer;
    }

    /// <summary>
    /// A whole file, refused with one line if it is larger than <see cref="MaxBytes"/>. The bytes are counted as they
    /// arrive, not taken from the length the file system reports (a link to a device reports none).
    /// </summary>
    public static byte[] File(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.CanSeek)
            {
                CheckClaim(stream.Length, path); // a large regular file is refused before it is read
            }
            return StreamBytes.ReadAtMost(stream, MaxBytes)
                ?? throw new InvalidInputException($"{path}: holds more than the {MaxBytes >> 20} MiB a dataset file may hold (not a dataset file)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read ({e.Message})", inner: e);
        }
    }

    /// <exception cref="InvalidInputException">A negative claim or one over <see cref="MaxBytes"/>.</exception>
    public static void CheckClaim(long claimed, string what)
    {
        if (claimed < 0)
        {
            throw new InvalidInputException($"{what}: claims a negative length ({claimed} bytes; damaged)");
        }
        if (claimed > MaxBytes)
        {
            throw new InvalidInputException($"{what}: claims {claimed} bytes, more than the {MaxBytes >> 20} MiB a dataset file may hold (damaged, or not a dataset file)");
        }
    }
}
