namespace Dha.Nas;

/// <summary>
/// The 7 candidate operations of the DARTS cell space without <c>none</c>, in the reference order (index k = 0..6).
/// The order is part of the method: an architecture vector x is laid out edge-major as <c>edge·7 + k</c>, and the
/// reference support rule looks only at k = 0..5.
/// </summary>
internal enum Primitive
{
    MaxPool3x3,
    AvgPool3x3,
    SkipConnect,
    SepConv3x3,
    SepConv5x5,
    DilConv3x3,
    DilConv5x5,
}

/// <summary>
/// DARTS text names of the primitives (<c>"sep_conv_3x3"</c>): the enum is used in code, these strings in files and
/// logs, so genotypes read and write like the DARTS literature.
/// </summary>
internal static class Primitives
{
    /// <summary>Number of candidate operations per edge.</summary>
    public const int Count = 7;

    private static readonly string[] Names =
    [
        "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5",
    ];

    /// <summary>All primitives in reference order.</summary>
    public static IReadOnlyList<Primitive> All { get; } = Array.AsReadOnly(Enum.GetValues<Primitive>());

    /// <summary>The DARTS name, e.g. <c>"sep_conv_3x3"</c>.</summary>
    public static string ToText(this Primitive primitive) => Names[(int)primitive];

    /// <summary>Reads a DARTS name; throws <see cref="InvalidInputException"/> on an unknown name.</summary>
    public static Primitive Parse(string text)
    {
        if (TryParse(text, out var primitive))
        {
            return primitive;
        }
        throw new InvalidInputException($"genotype: unknown operation '{text}' (expected one of {string.Join(", ", Names)})");
    }

    /// <summary>Reads a DARTS name; false on an unknown name.</summary>
    public static bool TryParse(string text, out Primitive primitive)
    {
        var index = Array.IndexOf(Names, text.Trim());
        primitive = index < 0 ? default : (Primitive)index;
        return index >= 0;
    }
}
