using Dha.Augment;
using Dha.Data;
using TorchSharp;

namespace Dha.Search;

/// <summary>
/// Sits between the batch loader and the <see cref="BatchAugmenter"/> and remembers, for each scheduled batch, the
/// sampling matrix it captured and the op pairs it drew (the loader hands out images and labels only). The loader
/// prepares the next batch while the current one trains, so at any step one batch has been scheduled but not
/// consumed; a checkpoint stores its matrix so that a resumed run prepares that batch exactly as the uninterrupted
/// run did. Batches are consumed in the order they were scheduled, so the oldest record is the current batch's.
/// </summary>
internal sealed class ScheduledAugmentation : IBatchTransform
{
    private readonly BatchAugmenter _augmenter;
    private readonly Queue<ScheduledBatch> _scheduled = new();
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
    public IReadOnlyList<double[]?> Pending => [.. _scheduled.Select(s => s.Matrix)];

    public Func<torch.Tensor, torch.Tensor> Prepare(int seed)
    {
        var current = Current;
        if (_replay.Count > 0)
        {
            Current = _replay.Dequeue();
        }
        var scheduled = new ScheduledBatch(Current);
        _scheduled.Enqueue(scheduled);
        var work = _augmenter.Prepare(seed);
        Current = current;
        return pixels =>
        {
            var augmented = work(pixels);
            // out of the loader's dispose scope: the op pairs wait here until the trainer consumes this batch
            scheduled.OpPairs = augmented.OpPairs?.DetachFromDisposeScope();
            return augmented.Images;
        };
    }

    /// <summary>
    /// The trainer consumed the oldest scheduled batch (the loader has finished building it): its op pairs, int64
    /// [B, 2], or null when the policy is off. The caller disposes them.
    /// </summary>
    public torch.Tensor? Consumed() => _scheduled.TryDequeue(out var consumed) ? consumed.OpPairs : null;

    /// <summary>Starts a new epoch's loader (the previous one has finished every build): nothing is pending any more.</summary>
    public void Reset()
    {
        foreach (var scheduled in _scheduled)
        {
            scheduled.OpPairs?.Dispose();
        }
        _scheduled.Clear();
    }

    /// <summary>After a resume: the first batches scheduled use these matrices, as they did before the interruption.</summary>
    public void Replay(IEnumerable<double[]?> matrices)
    {
        _replay.Clear();
        foreach (var m in matrices)
        {
            _replay.Enqueue(m);
        }
    }

    private sealed class ScheduledBatch(double[]? matrix)
    {
        public double[]? Matrix { get; } = matrix;

        /// <summary>Set by the work on the loader's background thread; read after the loader has awaited it.</summary>
        public torch.Tensor? OpPairs { get; set; }
    }
}
