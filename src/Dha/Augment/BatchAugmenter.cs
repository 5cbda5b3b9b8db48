using static TorchSharp.torch;

namespace Dha.Augment;

/// <summary>
/// DHA's batch transformation (dha-method §5.2): random horizontal flip → an op pair per image, drawn from the
/// current sampling matrix Π̃ (first op, then second op) → normalise → Cutout; the modes without a learned policy
/// put the reference's random crop (zero padding) before the flip, as torchvision's DARTS pipeline does. The reference did this image by image
/// in PIL; here the batch is processed by tensor ops grouped by op (the images that drew the same first op are
/// gathered, transformed together and scattered back, then the same for the second op).
/// All randomness of a batch comes from the seed given to <see cref="Prepare"/>, and the matrix and magnitude are
/// captured there, so the result does not depend on which thread runs it or when.
/// </summary>
internal sealed class BatchAugmenter
{
    private readonly AugmentSettings _settings;
    private readonly byte[] _fill;
    private readonly float[] _mean;
    private readonly float[] _std;
    private double _magnitude = 1.0;
    private double[]? _samplingMatrix;
    private PairSampler? _sampler;

    public BatchAugmenter(AugmentSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(settings.Mean);
        ArgumentNullException.ThrowIfNull(settings.Std);
        var channels = settings.Mean.Length;
        if ((channels != 1 && channels != 3) || settings.Std.Length != channels)
        {
            throw new ArgumentException(
                $"AugmentSettings: mean and std need 1 or 3 values each, got {settings.Mean.Length} and {settings.Std.Length}.", nameof(settings));
        }
        if (settings.Mean.Any(m => !float.IsFinite(m) || m < 0 || m > 1) || settings.Std.Any(s => !float.IsFinite(s) || s <= 0))
        {
            throw new ArgumentException("AugmentSettings: mean must be in [0, 1] and std > 0.", nameof(settings));
        }
        if (settings.CutoutSize < 0)
        {
            throw new ArgumentException($"AugmentSettings: cutout size must be ≥ 0, got {settings.CutoutSize}.", nameof(settings));
        }
        if (settings.CropPadding < 0)
        {
            throw new ArgumentException($"AugmentSettings: crop padding must be ≥ 0, got {settings.CropPadding}.", nameof(settings));
        }
        if (!Enum.IsDefined(settings.LevelMap))
        {
            throw new ArgumentException($"AugmentSettings: unknown level map {settings.LevelMap}.", nameof(settings));
        }
        if (!Enum.IsDefined(settings.Resampling))
        {
            throw new ArgumentException($"AugmentSettings: unknown resampling {settings.Resampling}.", nameof(settings));
        }
        _settings = settings;
        _mean = (float[])settings.Mean.Clone();
        _std = (float[])settings.Std.Clone();
        _fill = FillColour(_mean);
    }

    public AugmentSettings Settings => _settings;

    /// <summary>The fill colour of the geometric ops for images of channel means <paramref name="mean"/>: round(255·mean), one byte per channel.</summary>
    internal static byte[] FillColour(float[] mean) => [.. mean.Select(m => (byte)Math.Round(255.0 * m, MidpointRounding.AwayFromZero))];

    /// <summary>
    /// M: each op application draws its level ℓ ~ U(0, M), clipped to [0, 8]. 1 in the search phase, 10 after the
    /// switch (dha-method §3.2).
    /// </summary>
    public double Magnitude
    {
        get => _magnitude;
        set
        {
            if (!double.IsFinite(value) || value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The augmentation magnitude must be finite and ≥ 0.");
            }
            _magnitude = value;
        }
    }

    /// <summary>
    /// The 196-entry matrix Π̃ (row-major, i·14 + j = first op i, second op j) the next prepared batches draw their
    /// pairs from; null draws pairs uniformly. The value is copied: later edits of the array have no effect.
    /// </summary>
    public double[]? SamplingMatrix
    {
        get => _samplingMatrix is null ? null : (double[])_samplingMatrix.Clone();
        set
        {
            if (value is null)
            {
                _samplingMatrix = null;
                _sampler = null;
                return;
            }
            var copy = (double[])value.Clone();
            _sampler = new PairSampler(copy);
            _samplingMatrix = copy;
        }
    }

    /// <summary>
    /// Captures the current <see cref="SamplingMatrix"/> and <see cref="Magnitude"/> and returns the work that
    /// transforms one uint8 batch [B, C, H, W] with all its randomness drawn from <paramref name="seed"/>.
    /// The returned function may run on any thread; it does not dispose its input, and its outputs belong to the
    /// caller (or to the caller's dispose scope).
    /// </summary>
    public Func<Tensor, AugmentedBatch> Prepare(int seed)
    {
        var capturedSampler = _sampler;
        var capturedMagnitude = _magnitude;
        return images => Transform(images, seed, capturedSampler, capturedMagnitude);
    }

    private AugmentedBatch Transform(Tensor images, int seed, PairSampler? pairSampler, double magnitudeNow)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dtype != ScalarType.Byte || images.dim() != 4 || images.shape[1] != _mean.Length)
        {
            throw new ArgumentException(
                $"BatchAugmenter: expected uint8 images [B, {_mean.Length}, H, W], got {images.dtype} [{string.Join(", ", images.shape)}].");
        }
        var plan = Draw(images, seed, pairSampler, magnitudeNow);
        using var scope = NewDisposeScope();
        var x = images;
        if (_settings.CropPadding > 0)
        {
            x = Crop(x, _settings.CropPadding, plan.CropTop, plan.CropLeft);
        }
        if (_settings.HorizontalFlip)
        {
            var flip = tensor(plan.Flip).view(-1, 1, 1, 1);
            x = where(flip, x.flip(3), x);
        }
        Tensor? opPairs = null;
        if (_settings.UsePolicy)
        {
            x = ApplyStage(x, plan, 0);
            x = ApplyStage(x, plan, 1);
            opPairs = tensor(plan.Ops.Select(op => (long)op).ToArray(), [images.shape[0], 2]);
        }
        var channels = _mean.Length;
        var normalised = (x.to_type(ScalarType.Float32) / 255f - tensor(_mean).view(1, channels, 1, 1))
            / tensor(_std).view(1, channels, 1, 1);
        if (_settings.CutoutSize > 0)
        {
            normalised = normalised.masked_fill(CutoutMask(images, plan), 0f);
        }
        return new AugmentedBatch(normalised.MoveToOuterDisposeScope(), opPairs?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Every random choice of the batch, drawn from one <see cref="Random"/> in a fixed order per image:
    /// crop offset (row, column), flip, pair, (level, sign[, bicubic]) of the first op, the same of the second op,
    /// cutout centre (row, column); the bicubic coin only with random resampling. A step that is off draws nothing, so
    /// turning the crop off (or keeping bilinear resampling) leaves every other draw as it was.
    /// </summary>
    private BatchPlan Draw(Tensor images, int seed, PairSampler? pairSampler, double magnitudeNow)
    {
        var batch = (int)images.shape[0];
        int height = (int)images.shape[2], width = (int)images.shape[3];
        var rng = new Random(seed);
        var plan = new BatchPlan(batch);
        var offsets = 2 * _settings.CropPadding + 1;
        for (var b = 0; b < batch; b++)
        {
            if (_settings.CropPadding > 0)
            {
                plan.CropTop[b] = rng.Next(offsets);
                plan.CropLeft[b] = rng.Next(offsets);
            }
            if (_settings.HorizontalFlip)
            {
                plan.Flip[b] = rng.NextDouble() < 0.5;
            }
            if (_settings.UsePolicy)
            {
                var pair = pairSampler?.Draw(rng) ?? rng.Next(PairSampler.PairCount);
                plan.Ops[2 * b] = (AugmentOp)(pair / AugmentOpNames.Count);
                plan.Ops[2 * b + 1] = (AugmentOp)(pair % AugmentOpNames.Count);
                for (var stage = 0; stage < 2; stage++)
                {
                    plan.Levels[2 * b + stage] = Math.Min(OpTable.MaxLevel, rng.NextDouble() * magnitudeNow);
                    plan.Negate[2 * b + stage] = rng.NextDouble() < 0.5;
                    if (_settings.Resampling == Resampling.Random)
                    {
                        plan.Bicubic[2 * b + stage] = rng.NextDouble() < 0.5;
                    }
                }
            }
            if (_settings.CutoutSize > 0)
            {
                plan.CutoutRow[b] = rng.Next(height);
                plan.CutoutColumn[b] = rng.Next(width);
            }
        }
        return plan;
    }

    /// <summary>Applies stage <paramref name="stage"/> (0 = first op, 1 = second op) of every image, one op group at a time.</summary>
    private Tensor ApplyStage(Tensor images, BatchPlan plan, int stage)
    {
        var batch = (int)images.shape[0];
        Tensor? output = null;
        for (var op = 0; op < AugmentOpNames.Count; op++)
        {
            if ((AugmentOp)op == AugmentOp.Identity)
            {
                continue;
            }
            var members = Enumerable.Range(0, batch).Where(b => (int)plan.Ops[2 * b + stage] == op).ToArray();
            if (members.Length == 0)
            {
                continue;
            }
            var arguments = members
                .Select(b => OpTable.Argument((AugmentOp)op, plan.Levels[2 * b + stage], plan.Negate[2 * b + stage], _settings.LevelMap))
                .ToArray();
            var bicubic = members.Select(b => plan.Bicubic[2 * b + stage]).ToArray();
            var index = tensor(members.Select(b => (long)b).ToArray());
            var transformed = OpTable.Apply((AugmentOp)op, images.index_select(0, index), arguments, _fill, bicubic);
            output ??= images.clone();
            output.index_copy_(0, index, transformed);
        }
        return output ?? images;
    }

    /// <summary>
    /// Image b of the result is the window [top_b, top_b + H) × [left_b, left_b + W) of image b zero-padded by
    /// <paramref name="padding"/> pixels on every side, offsets in [0, 2·padding] (top = left = padding is the image
    /// itself): torchvision's <c>RandomCrop(size, padding)</c> with fill 0, for the whole batch in one gather over the
    /// flattened padded images.
    /// </summary>
    internal static Tensor Crop(Tensor images, int padding, int[] top, int[] left)
    {
        using var scope = NewDisposeScope();
        long batch = images.shape[0], channels = images.shape[1], height = images.shape[2], width = images.shape[3];
        var paddedWidth = width + 2 * padding;
        var padded = nn.functional.pad(images, [padding, padding, padding, padding]);
        var rows = tensor(top.Select(t => (long)t).ToArray()).view(-1, 1, 1) + arange(height, ScalarType.Int64).view(1, -1, 1);
        var columns = tensor(left.Select(l => (long)l).ToArray()).view(-1, 1, 1) + arange(width, ScalarType.Int64).view(1, 1, -1);
        var index = (rows * paddedWidth + columns).view(batch, 1, height * width).expand(batch, channels, height * width);
        return padded.reshape(batch, channels, -1).gather(2, index).view(batch, channels, height, width).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// True inside each image's Cutout square: rows [r − L/2, r − L/2 + L) × columns likewise around the drawn
    /// centre, clipped at the borders (an L×L square when it does not touch a border), as bool [B, 1, H, W].
    /// </summary>
    private Tensor CutoutMask(Tensor images, BatchPlan plan)
    {
        using var scope = NewDisposeScope();
        var size = _settings.CutoutSize;
        long height = images.shape[2], width = images.shape[3];
        var top = tensor(plan.CutoutRow.Select(r => (long)(r - size / 2)).ToArray()).view(-1, 1, 1);
        var left = tensor(plan.CutoutColumn.Select(c => (long)(c - size / 2)).ToArray()).view(-1, 1, 1);
        var rows = arange(height, ScalarType.Int64).view(1, -1, 1);
        var columns = arange(width, ScalarType.Int64).view(1, 1, -1);
        var inside = (rows >= top) & (rows < top + size) & (columns >= left) & (columns < left + size);
        return inside.unsqueeze(1).MoveToOuterDisposeScope();
    }

    private sealed class BatchPlan(int batch)
    {
        /// <summary>Row offset of each crop window in the padded image, in [0, 2·padding].</summary>
        public int[] CropTop { get; } = new int[batch];

        public int[] CropLeft { get; } = new int[batch];

        public bool[] Flip { get; } = new bool[batch];

        /// <summary>[B, 2] row-major: first op, second op.</summary>
        public AugmentOp[] Ops { get; } = new AugmentOp[2 * batch];

        public double[] Levels { get; } = new double[2 * batch];

        public bool[] Negate { get; } = new bool[2 * batch];

        /// <summary>[B, 2] like <see cref="Ops"/>: whether each op, if geometric, samples bicubic (else bilinear).</summary>
        public bool[] Bicubic { get; } = new bool[2 * batch];

        public int[] CutoutRow { get; } = new int[batch];

        public int[] CutoutColumn { get; } = new int[batch];
    }
}
