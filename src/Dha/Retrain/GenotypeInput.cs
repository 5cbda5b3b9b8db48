using Dha.Nas;

namespace Dha.Retrain;

/// <summary>What <c>dha train --genotype</c> accepts: a name, a run's <c>genotype.json</c>, or a text file in the DARTS notation.</summary>
internal static class GenotypeInput
{
    /// <summary>The name of the DARTS (V2) CIFAR-10 cell, <see cref="Genotype.DartsV2"/>.</summary>
    public const string DartsV2Name = "darts-v2";

    /// <summary>
    /// <see cref="Genotype.DartsV2"/> for <c>darts-v2</c>; otherwise the file: JSON as a run's <c>genotype.json</c>
    /// (<see cref="Genotype.ToJson"/>), or text that <see cref="Genotype.Parse"/> reads (the tool's own form or
    /// DARTS's Python form).
    /// </summary>
    /// <exception cref="InvalidInputException">No such file, or it holds no valid genotype; one line naming it.</exception>
    public static Genotype Read(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Trim().Equals(DartsV2Name, StringComparison.OrdinalIgnoreCase))
        {
            return Genotype.DartsV2;
        }
        if (!File.Exists(source))
        {
            throw new InvalidInputException($"--genotype {source}: file not found (give a genotype.json, a genotype text file, or {DartsV2Name})");
        }
        string text;
        try
        {
            text = File.ReadAllText(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--genotype {source}: cannot read the file ({e.Message})");
        }
        try
        {
            return text.TrimStart().StartsWith('{') ? Genotype.FromJson(text) : Genotype.Parse(text);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"--genotype {source}: {e.Message}", e.ExitCode, e);
        }
    }
}
