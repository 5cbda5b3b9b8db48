using Dha.Augment;
using Dha.Data;
using TorchSharp;

namespace Dha.Search;

/// <summary>
/// Sits between the batch loader and the <see cref="BatchAugmenter"/> and remembers which sampling matrix each
/// scheduled batch captured. The loader prepares the next batch while the current one trains, so at any step one
/// batch has been scheduled but not consumed; a checkpoint stores its matrix so that a resumed run prepares that
/// batch exactly as the uninterrupted run did.
/// </summary>
internal sealed class ScheduledAugmentation : IBatchTransform
{
    private readonly BatchAugmenter _augmenter;
    private readonly Queue<double[]?> _scheduled = new();
    private readonly Queue<double[]?> _replay = new();

    public ScheduledAugmentation(BatchAugmenter augmenter)
    {
        _augmenter = augmenter;
    }

    /// <summary>The matrix the next scheduled batches will draw op pairs from (null = uniform).</summary>
    public double[]? Current
    {
        get => _augmenter.SamplingMatrix;
        set => _augmenter.SamplingMatrix = value;
    }

    public double Magnitude
    {
        get => _augmenter.Magnitude;
        set => _augmenter.Magnitude = value;
    }

    /// <summary>Matrices of batches scheduled and not yet consumed, oldest first.</summary>
    public IReadOnlyList<double[]?> Pending => [.. _scheduled];

    public Func<torch.Tensor, TransformedBatch> Prepare(int seed)
    {
        var current = Current;
        if (_replay.Count > 0)
        {
            Current = _replay.Dequeue();
        }
        _scheduled.Enqueue(Current);
        var work = _augmenter.Prepare(seed);
        Current = current;
        return work;
    }

    /// <summary>The trainer consumed the oldest scheduled batch.</summary>
    public void Consumed()
    {
        if (_scheduled.Count > 0)
        {
            _scheduled.Dequeue();
        }
    }

    /// <summary>Starts a new epoch's loader: nothing is pending any more.</summary>
    public void Reset() => _scheduled.Clear();

    /// <summary>After a resume: the first batches scheduled use these matrices, as they did before the interruption.</summary>
    public void Replay(IEnumerable<double[]?> matrices)
    {
        _replay.Clear();
        foreach (var m in matrices)
        {
            _replay.Enqueue(m);
        }
    }
}
