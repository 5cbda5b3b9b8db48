namespace Dha.Augment;

/// <summary>
/// The 14 augmentation ops of DHA (dha-method §5.1, <c>aug_choice = 14</c>). The numeric order is the row/column
/// index of the 14×14 policy matrix, so it is part of the checkpoint and <c>policy.json</c> format: never reorder.
/// </summary>
internal enum AugmentOp
{
    AutoContrast = 0,
    Equalize = 1,
    Rotate = 2,
    Posterize = 3,
    Solarize = 4,
    Color = 5,
    Contrast = 6,
    Brightness = 7,
    Sharpness = 8,
    ShearX = 9,
    ShearY = 10,
    TranslateXRel = 11,
    TranslateYRel = 12,
    Identity = 13,
}

/// <summary>
/// Stable text names of the ops (the names timm and the reference code use), for logs and <c>policy.json</c>.
/// They do not follow the C# enum's <c>ToString()</c> by accident: they are written out here so that renaming an
/// enum member cannot silently change a file format.
/// </summary>
internal static class AugmentOpNames
{
    private static readonly string[] Names =
    [
        "AutoContrast", "Equalize", "Rotate", "Posterize", "Solarize", "Color", "Contrast", "Brightness",
        "Sharpness", "ShearX", "ShearY", "TranslateXRel", "TranslateYRel", "Identity",
    ];

    /// <summary>The number of ops (the side of the policy matrix).</summary>
    public const int Count = 14;

    /// <summary>The stable text name of <paramref name="op"/>.</summary>
    public static string ToText(this AugmentOp op)
    {
        var index = (int)op;
        if (index < 0 || index >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(op), op, "Not one of the 14 augmentation ops.");
        }
        return Names[index];
    }

    /// <summary>Parses a stable text name (case-insensitive).</summary>
    /// <exception cref="InvalidInputException">The name is not one of the 14 op names.</exception>
    public static AugmentOp Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(Names[i], text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return (AugmentOp)i;
            }
        }
        throw new InvalidInputException(
            $"augmentation op: '{text}' is not one of {string.Join(", ", Names)}");
    }
}
