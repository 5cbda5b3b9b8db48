using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dha.Data;

namespace Dha.Search;

/// <summary>
/// What makes a run this run, hashed: its resolved options (as <c>config.json</c> holds them), the architecture a
/// retraining trains, and the shape of its data (images, classes and size of each split). A checkpoint carries it
/// so that it is never resumed into another run, even one whose tensors happen to have the same shapes.
/// </summary>
internal static class RunFingerprint
{
    /// <summary>The bytes of a fingerprint (SHA-256).</summary>
    public const int Length = 32;

    /// <param name="options">The run's resolved options.</param>
    /// <param name="splits">The data it trains, validates and tests on.</param>
    /// <param name="genotype">The architecture a retraining trains; null for a search.</param>
    public static byte[] Of(SearchOptions options, DatasetSplits splits, string? genotype = null)
    {
        var text = new StringBuilder(options.ToJson()).Append('\n').Append(genotype ?? "search").Append('\n');
        foreach (var data in new[] { splits.Train, splits.Validation, splits.Test })
        {
            text.Append(CultureInfo.InvariantCulture, $"{data.Count} {data.Channels}x{data.Height}x{data.Width} {string.Join('\u001f', data.ClassNames)}\n");
        }
        return SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
