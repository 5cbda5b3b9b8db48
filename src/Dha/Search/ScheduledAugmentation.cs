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
    private readonly BatchAugmenter? _plain;
    private readonly Queue<ScheduledBatch> _scheduled = new();
    private readonly Queue<double[]?> _replay = new();

    /// <param name="augmenter">Prepares the batches.</param>
    /// <param name="plain">
    /// Prepares them instead while <see cref="UsePlain"/> is set: the crop + flip (+ cutout) without op pairs of a
    /// two-stage search whose retraining learns the policy.
    /// </param>
    public ScheduledAugmentation(BatchAugmenter augmenter, BatchAugmenter? plain = null)
    {
        _augmenter = augmenter;
        _plain = plain;
    }

    /// <summary>Whether the next scheduled batches are prepared by the plain augmenter, when there is one (they then have no op pairs).</summary>
    public bool UsePlain { get; set; }

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
        var work = (UsePlain && _plain is not null ? _plain : _augmenter).Prepare(seed);
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

    /// <summary>Writes the pending matrices and the current one (null = uniform is written as length −1).</summary>
    public void Save(BinaryWriter writer)
    {
        var pending = Pending;
        writer.Write(pending.Count);
        foreach (var m in pending)
        {
            WriteMatrix(writer, m);
        }
        WriteMatrix(writer, Current);
    }

    /// <summary>
    /// Restores what <see cref="Save"/> wrote: the current matrix, and the pending ones to replay, so the first
    /// batches scheduled after a resume use them as they did before the interruption.
    /// </summary>
    /// <exception cref="InvalidInputException">A count or matrix length that no schedule can have.</exception>
    public void Load(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        // every matrix takes at least its 4-byte length: a count beyond the bytes left is corrupt, not an allocation
        if (count < 0 || (reader.BaseStream.CanSeek && count > (reader.BaseStream.Length - reader.BaseStream.Position) / sizeof(int)))
        {
            throw new InvalidInputException($"checkpoint: the augmentation schedule claims {count} pending matrices");
        }
        var pending = new List<double[]?>(count);
        for (var i = 0; i < count; i++)
        {
            pending.Add(ReadMatrix(reader));
        }
        Current = ReadMatrix(reader);
        _replay.Clear();
        foreach (var m in pending)
        {
            _replay.Enqueue(m);
        }
    }

    private static void WriteMatrix(BinaryWriter writer, double[]? matrix)
    {
        writer.Write(matrix?.Length ?? -1);
        foreach (var v in matrix ?? [])
        {
            writer.Write(v);
        }
    }

    private static double[]? ReadMatrix(BinaryReader reader)
    {
        var n = reader.ReadInt32();
        if (n < 0)
        {
            return null;
        }
        if (n != PairSampler.PairCount)
        {
            throw new InvalidInputException($"checkpoint: an augmentation sampling matrix has {n} entries, expected {PairSampler.PairCount}");
        }
        var m = new double[n];
        for (var i = 0; i < n; i++)
        {
            m[i] = reader.ReadDouble();
            // a sampling matrix is a softmax: probabilities
            if (!(m[i] is >= 0 and <= 1))
            {
                throw new InvalidInputException($"checkpoint: an augmentation sampling matrix holds {m[i]}, not a probability");
            }
        }
        return m;
    }

    private sealed class ScheduledBatch(double[]? matrix)
    {
        public double[]? Matrix { get; } = matrix;

        /// <summary>Set by the work on the loader's background thread; read after the loader has awaited it.</summary>
        public torch.Tensor? OpPairs { get; set; }
    }
}
