namespace Dha.Onnx;

/// <summary>
/// Bad input to <see cref="OnnxImageClassifier"/>: a missing file, a file that is not a model written by
/// <c>dha export</c>, an image that does not decode. The message is one line naming the file and what is wrong.
/// </summary>
public sealed class OnnxInputException : Exception
{
    /// <summary>Bad input, described by <paramref name="message"/>.</summary>
    /// <param name="message">One line naming the file and what is wrong.</param>
    /// <param name="inner">The exception that revealed the problem, if any.</param>
    public OnnxInputException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
