namespace Dha.Search;

/// <summary>
/// The exclusive lock a run holds on its folder from start (or resume) to end: the <c>.lock</c> file opened with
/// <see cref="FileShare.None"/>, which .NET backs with an advisory <c>flock</c> on Linux. A second process (a search
/// into the same folder, a second <c>--resume</c>) is refused at once instead of interleaving its files with the
/// first. The lock goes with the process, however it ends; the empty file stays (deleting it would let a third
/// process lock a new file while a second still holds the old one).
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";

    // what the failed flock reports: EWOULDBLOCK (Linux errno 11), or a sharing violation (Windows)
    private const int WouldBlock = 11;
    private const int SharingViolation = unchecked((int)0x80070020);

    private readonly FileStream _file;

    private RunLock(FileStream file)
    {
        _file = file;
    }

    /// <param name="directory">An existing run folder.</param>
    /// <param name="option">The option that named the folder (<c>--out</c>, <c>--resume</c>), for the message.</param>
    /// <exception cref="InvalidInputException">Another process holds the lock, or the folder cannot be written.</exception>
    public static RunLock Acquire(string directory, string option)
    {
        try
        {
            return new RunLock(new FileStream(Path.Combine(directory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (e.HResult is WouldBlock or SharingViolation)
        {
            throw new InvalidInputException($"{option} {directory}: another dha process is running in this folder; wait for it to end or use another folder");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{option} {directory}: cannot write in this folder ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    public void Dispose() => _file.Dispose();
}
