namespace Dha;

/// <summary>
/// Counter-based seeds: every random draw in a run is seeded from (run seed, stream, counters), never from a
/// generator carried across steps. A run resumed at any step therefore draws exactly what the uninterrupted run
/// drew, and background work (batch preparation) is deterministic whatever the thread timing.
/// </summary>
internal static class Seeds
{
    /// <summary>A 31-bit seed for <see cref="Random"/> or a torch generator, mixed from the run seed and counters.</summary>
    public static int For(int runSeed, string stream, params long[] counters)
    {
        var h = Mix(unchecked((ulong)runSeed) ^ 0x9E3779B97F4A7C15UL);
        foreach (var c in stream)
        {
            h = Mix(h ^ c);
        }
        foreach (var counter in counters)
        {
            h = Mix(h ^ unchecked((ulong)counter));
        }
        return (int)(h & 0x7FFFFFFF);
    }

    /// <summary>A <see cref="Random"/> seeded by <see cref="For"/>.</summary>
    public static Random Random(int runSeed, string stream, params long[] counters) => new(For(runSeed, stream, counters));

    // SplitMix64 finaliser: a bijective avalanche mix, so distinct inputs give unrelated seeds.
    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
