using System.Globalization;

namespace Dha.Hpo;

/// <summary>
/// The interval [<see cref="Min"/>, <see cref="Max"/>] a hyper-parameter (learning rate η or weight decay λ) is kept in.
/// DHA clamps η and λ into their ranges after every hypergradient step and starts (and restarts) them at the
/// <see cref="Midpoint"/>. The range is checked when it is built, so a learner can never hold an empty or negative
/// interval; the properties have no setters, so <c>with</c> cannot bypass the check either.
/// </summary>
internal readonly record struct HyperRange
{
    /// <exception cref="InvalidInputException">
    /// A bound is not finite, <paramref name="min"/> is negative or <paramref name="min"/> exceeds <paramref name="max"/>.
    /// Callers that know the option's name should validate first, so the user sees it.
    /// </exception>
    public HyperRange(double min, double max)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"hyper-parameter range [{min}, {max}]");
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            throw new InvalidInputException($"{text}: both bounds must be finite numbers");
        }
        if (min < 0)
        {
            throw new InvalidInputException($"{text}: the lower bound must not be negative");
        }
        if (min > max)
        {
            throw new InvalidInputException($"{text}: the lower bound must not exceed the upper bound");
        }
        Min = min;
        Max = max;
    }

    public double Min { get; }

    public double Max { get; }

    /// <summary>(Min + Max) / 2: the value η and λ start and restart at.</summary>
    public double Midpoint => (Min + Max) / 2;

    /// <summary>The nearest value inside the range (NaN stays NaN, so a diverged value is not hidden).</summary>
    public double Clamp(double value) => Math.Clamp(value, Min, Max);

    public void Deconstruct(out double min, out double max)
    {
        min = Min;
        max = Max;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min}, {Max}]");
}
