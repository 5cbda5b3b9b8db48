namespace Dha;

/// <summary>
/// Anticipated bad input: a missing or malformed file, an impossible option value. The message is the single line
/// the user sees (it names the file or option and what is wrong); the tool prints it without a stack trace and
/// exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>Bad input, described by <paramref name="message"/>.</summary>
    /// <param name="message">One line naming the file or option and what is wrong.</param>
    /// <param name="exitCode">The exit code of the tool (2, a usage error, unless said otherwise).</param>
    /// <param name="inner">The exception that revealed the problem, if any.</param>
    public InvalidInputException(string message, int exitCode = 2, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>The exit code the tool ends with when it reports this error.</summary>
    public int ExitCode { get; }
}
