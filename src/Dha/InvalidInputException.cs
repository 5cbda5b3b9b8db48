namespace Dha;

/// <summary>
/// Anticipated bad input: a missing or malformed file, an impossible option value. The message is the single line
/// the user sees (it names the file or option and what is wrong); the tool prints it without a stack trace and
/// exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(string message, int exitCode = 2, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
