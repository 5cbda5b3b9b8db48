namespace Dha.Augment;

/// <summary>
/// Categorical draws of an op pair (flat index i·14 + j) from a 196-entry weight vector, by inverse CDF on a
/// cumulative table built once. A sampler is immutable, so a batch prepared on one thread and run on another
/// draws from exactly the matrix that was current when it was prepared.
/// </summary>
internal sealed class PairSampler
{
    internal const int PairCount = AugmentOpNames.Count * AugmentOpNames.Count;

    private readonly double[] _cumulative;

    /// <param name="weights">196 finite, non-negative weights with a positive sum (need not sum to 1).</param>
    internal PairSampler(IReadOnlyList<double> weights)
    {
        Check(weights);
        _cumulative = new double[PairCount];
        var sum = 0.0;
        for (var k = 0; k < PairCount; k++)
        {
            sum += weights[k];
            _cumulative[k] = sum;
        }
    }

    /// <summary>Throws unless <paramref name="weights"/> can be sampled from.</summary>
    internal static void Check(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != PairCount)
        {
            throw new ArgumentException($"A sampling matrix has {PairCount} entries, got {weights.Count}.", nameof(weights));
        }
        var sum = 0.0;
        foreach (var v in weights)
        {
            if (!double.IsFinite(v) || v < 0)
            {
                throw new ArgumentException($"A sampling matrix entry must be finite and non-negative, got {v}.", nameof(weights));
            }
            sum += v;
        }
        if (!(sum > 0) || !double.IsFinite(sum))
        {
            throw new ArgumentException("A sampling matrix must have a positive, finite sum.", nameof(weights));
        }
    }

    /// <summary>Draws one flat pair index; entries with weight 0 are never drawn.</summary>
    internal int Draw(Random rng)
    {
        var u = rng.NextDouble() * _cumulative[PairCount - 1];
        // The first k with cumulative[k] > u.
        int lo = 0, hi = PairCount - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (_cumulative[mid] > u)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        // u can round up to the total; never return a trailing zero-weight entry then.
        while (lo > 0 && _cumulative[lo] == _cumulative[lo - 1])
        {
            lo--;
        }
        return lo;
    }
}
