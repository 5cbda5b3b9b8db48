using System.Diagnostics;

namespace Dha.Search;

/// <summary>
/// Where a training step's time goes, part by part, for the benchmark's profile: the trainer marks the end of each
/// part and the time since the previous mark is added to it. A trainer without timings marks nothing.
/// </summary>
internal sealed class StepTimings
{
    /// <summary>The parts, in the order a step runs them (dha-method §3.3).</summary>
    public static readonly string[] Parts =
        ["policy sampling", "train forward", "policy update", "train backward", "architecture + weight step", "validation forward", "validation backward", "hypergradient + hyper step"];

    private readonly Stopwatch _watch = new();
    private readonly double[] _seconds = new double[Parts.Length];

    /// <summary>Steps begun.</summary>
    public int Steps { get; private set; }

    /// <summary>Total seconds of each part of <see cref="Parts"/>.</summary>
    public IReadOnlyList<double> Seconds => _seconds;

    /// <summary>A step begins: the clock restarts.</summary>
    public void Begin()
    {
        Steps++;
        _watch.Restart();
    }

    /// <summary>Part <paramref name="part"/> (an index into <see cref="Parts"/>) ended now.</summary>
    public void Mark(int part)
    {
        _seconds[part] += _watch.Elapsed.TotalSeconds;
        _watch.Restart();
    }
}
