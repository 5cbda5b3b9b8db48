namespace Dha.Search;

/// <summary>Where a run stands, and the running sums of the epoch in progress.</summary>
internal sealed record TrainerPosition
{
    public SearchPhase Phase { get; init; } = SearchPhase.Search;

    /// <summary>Epoch within the phase.</summary>
    public int Epoch { get; init; }

    /// <summary>Epoch counted over both phases (metrics.jsonl numbering, loader seeds).</summary>
    public int GlobalEpoch { get; init; }

    /// <summary>Steps done in the current epoch.</summary>
    public int Step { get; init; }

    public long GlobalStep { get; init; }
    public double TrainLoss { get; init; }
    public double TrainCorrect { get; init; }
    public long TrainCount { get; init; }
    public double EpochSeconds { get; init; }

    /// <summary>
    /// Whether a checkpoint is due after the step just done: every <paramref name="every"/> steps of an epoch (0 =
    /// never) and when the run is cancelled, but not after the epoch's last step, whose end writes one anyway.
    /// </summary>
    internal bool CheckpointDueMidEpoch(int stepsPerEpoch, int every, bool cancelled) =>
        Step < stepsPerEpoch && (cancelled || (every > 0 && Step % every == 0));

    /// <summary>This position with <paramref name="seconds"/> more spent in the current epoch.</summary>
    internal TrainerPosition Spent(double seconds) => this with { EpochSeconds = EpochSeconds + seconds };

    internal void Write(BinaryWriter writer)
    {
        writer.Write((int)Phase);
        writer.Write(Epoch);
        writer.Write(GlobalEpoch);
        writer.Write(Step);
        writer.Write(GlobalStep);
        writer.Write(TrainLoss);
        writer.Write(TrainCorrect);
        writer.Write(TrainCount);
        writer.Write(EpochSeconds);
    }

    /// <summary>Reads what <see cref="Write"/> wrote and rejects values no run can reach (whatever its options).</summary>
    /// <exception cref="InvalidInputException">An impossible phase, a negative count or a non-finite sum.</exception>
    internal static TrainerPosition Read(BinaryReader reader)
    {
        var phase = reader.ReadInt32();
        if (!Enum.IsDefined((SearchPhase)phase))
        {
            throw new InvalidInputException($"checkpoint: position phase {phase} is impossible (0 = search, 1 = train)");
        }
        var position = new TrainerPosition
        {
            Phase = (SearchPhase)phase,
            Epoch = reader.ReadInt32(),
            GlobalEpoch = reader.ReadInt32(),
            Step = reader.ReadInt32(),
            GlobalStep = reader.ReadInt64(),
            TrainLoss = reader.ReadDouble(),
            TrainCorrect = reader.ReadDouble(),
            TrainCount = reader.ReadInt64(),
            EpochSeconds = reader.ReadDouble(),
        };
        // a loss is never negative, and no more images are right than were seen
        if (position.Epoch < 0 || position.GlobalEpoch < 0 || position.Step < 0 || position.GlobalStep < 0 || position.TrainCount < 0
            || !double.IsFinite(position.TrainLoss) || position.TrainLoss < 0
            || !double.IsFinite(position.TrainCorrect) || position.TrainCorrect < 0 || position.TrainCorrect > position.TrainCount
            || !double.IsFinite(position.EpochSeconds) || position.EpochSeconds < 0)
        {
            throw new InvalidInputException($"checkpoint: position holds impossible values ({position})");
        }
        return position;
    }
}
