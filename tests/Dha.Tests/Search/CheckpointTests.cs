using System.Buffers.Binary;
using System.Security.Cryptography;
using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>The checkpoint container: a round trip restores the state, and every kind of damage is one clear line.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _dataDirectory;
    private readonly LoadedDataset _data;
    private readonly string _path;

    public CheckpointTests()
    {
        _dataDirectory = TinyRuns.Data(_folder, 64, 32);
        _data = DatasetLocator.Load(_dataDirectory);
        _path = Path.Combine(_folder.Path, "checkpoint.bin");
    }

    public void Dispose()
    {
        _data.Dispose();
        _folder.Dispose();
    }

    private DhaTrainer Trainer(string mode = "dha") =>
        TrainerBuilder.Build(TinyRuns.Options(_dataDirectory, mode), _data.Train, _data.Test, "tiny");

    private byte[] Saved(string mode = "dha")
    {
        using var trainer = Trainer(mode);
        Checkpoint.Save(trainer, _path);
        return File.ReadAllBytes(_path);
    }

    /// <summary>The checkpoint of a trainer stopped after <paramref name="steps"/> steps (its learners hold state).</summary>
    private byte[] SavedAfter(int steps)
    {
        using var trainer = Trainer();
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Train(new CancelAfter(steps, cancel), cancel.Token));
        }
        Checkpoint.Save(trainer, _path);
        return File.ReadAllBytes(_path);
    }

    private InvalidInputException LoadFails(byte[] bytes, string mode = "dha")
    {
        File.WriteAllBytes(_path, bytes);
        using var trainer = Trainer(mode);
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(trainer, _path));
        Assert.StartsWith($"{_path}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    /// <summary>The container of <paramref name="bytes"/> with one section's payload changed and a valid checksum.</summary>
    private byte[] WithSection(byte[] bytes, string name, Func<byte[], byte[]> change)
    {
        var sections = Checkpoint.Unpack(bytes, _path);
        return Checkpoint.Pack([.. sections.Select(s => (s.Key, s.Key == name ? change(s.Value.ToArray()) : s.Value.ToArray()))]);
    }

    [Fact]
    public void A_loaded_checkpoint_saves_back_to_the_same_bytes()
    {
        var bytes = Saved();
        using var trainer = Trainer();
        Checkpoint.Load(trainer, _path);
        var again = Path.Combine(_folder.Path, "again.bin");
        Checkpoint.Save(trainer, again);
        Assert.Equal(bytes, File.ReadAllBytes(again));
        Assert.Equal(
            ["run", "position", "augmentation", "network", "encoder", "policy", "weight-optimiser", "hyper-learner"],
            Checkpoint.Unpack(bytes, _path).Keys);
    }

    [Fact]
    public void A_flipped_byte_in_the_middle_fails_the_checksum()
    {
        var bytes = Saved();
        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Contains("checksum mismatch", LoadFails(bytes).Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.001)]
    public void A_truncated_file_is_reported(double keep)
    {
        var bytes = Saved();
        var message = LoadFails(bytes[..(int)(bytes.Length * keep)]).Message;
        Assert.True(message.Contains("truncated", StringComparison.Ordinal), message);
    }

    [Fact]
    public void An_absurd_section_length_is_rejected_before_anything_is_allocated()
    {
        var bytes = Saved();
        // the table's first entry: count, name length, "run", offset, then the length
        var table = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 32 - 4));
        var offset = table + 4 + 4 + "run".Length + 4;
        Assert.Equal(Checkpoint.Unpack(bytes, _path)["run"].Count, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset)));
        var body = bytes[..^32];
        BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(offset), 0x7ffffff0);
        var message = LoadFails([.. body, .. SHA256.HashData(body)]).Message;
        Assert.Contains("section 'run' claims 2147483632 bytes at offset 12", message);
    }

    [Fact]
    public void An_impossible_phase_is_rejected()
    {
        var bytes = WithSection(Saved(), "position", p =>
        {
            var changed = (byte[])p.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(changed, 7);
            return changed;
        });
        Assert.Contains("the 'position' section: position phase 7 is impossible", LoadFails(bytes).Message);
    }

    [Fact]
    public void An_epoch_beyond_the_run_is_rejected()
    {
        var bytes = WithSection(Saved(), "position", p =>
        {
            var changed = (byte[])p.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(changed.AsSpan(4), 5); // phase A epoch 5 of a 2-epoch search
            BinaryPrimitives.WriteInt32LittleEndian(changed.AsSpan(8), 5);
            return changed;
        });
        Assert.Contains("position epoch 5", LoadFails(bytes).Message);
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_refused_before_anything_is_read()
    {
        var bytes = Saved();
        File.WriteAllBytes(_path, bytes);
        var options = TinyRuns.Options(_dataDirectory);
        using var other = TrainerBuilder.Build(options with { Seed = options.Seed + 1 }, _data.Train, _data.Test, "tiny");
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(other, _path));
        Assert.Equal($"{_path}: belongs to another run (its fingerprint of the options, data and architecture differs from this run's); it cannot be resumed here", e.Message);
    }

    [Fact]
    public void Values_no_run_can_reach_are_rejected_behind_a_valid_checksum()
    {
        var bytes = SavedAfter(3);
        var moreRightThanSeen = WithSection(bytes, "position", p =>
        {
            var changed = (byte[])p.Clone();
            // phase, epoch, global epoch, step (int32), global step (int64), loss, correct (double), count (int64)
            BinaryPrimitives.WriteDoubleLittleEndian(changed.AsSpan(32), 1e9);
            return changed;
        });
        Assert.Contains("position holds impossible values", LoadFails(moreRightThanSeen).Message);
        // the augmentation section ends with the current sampling matrix: its last value made NaN
        var notAProbability = WithSection(bytes, "augmentation", p =>
        {
            var changed = (byte[])p.Clone();
            BinaryPrimitives.WriteDoubleLittleEndian(changed.AsSpan(changed.Length - 8), double.NaN);
            return changed;
        });
        Assert.Contains("the 'augmentation' section: an augmentation sampling matrix holds NaN, not a probability", LoadFails(notAProbability).Message);
    }

    [Fact]
    public void Writing_a_checkpoint_keeps_the_one_it_replaces()
    {
        var first = Saved();
        Assert.False(File.Exists(Checkpoint.PreviousPath(_path)));
        SavedAfter(3);

        Assert.Equal(Path.Combine(_folder.Path, "checkpoint.prev.bin"), Checkpoint.PreviousPath(_path));
        Assert.Equal(first, File.ReadAllBytes(Checkpoint.PreviousPath(_path)));
        Assert.NotEqual(first, File.ReadAllBytes(_path));
    }

    [Fact]
    public void A_damaged_newest_checkpoint_falls_back_to_the_previous_one_or_both_are_named()
    {
        var good = Saved();
        File.WriteAllBytes(Checkpoint.PreviousPath(_path), good);
        var damaged = (byte[])good.Clone();
        damaged[damaged.Length / 2] ^= 0x20;
        File.WriteAllBytes(_path, damaged);
        var warnings = new List<string>();
        var loaded = new List<string>();
        using (var trainer = Trainer())
        {
            Checkpoint.LoadNewest(_path, path =>
            {
                loaded.Add(Path.GetFileName(path));
                Checkpoint.Load(trainer, path);
            }, warnings.Add);
        }
        Assert.Equal(["checkpoint.bin", "checkpoint.prev.bin"], loaded);
        Assert.Equal([$"{_path}: checksum mismatch: the checkpoint is corrupt or truncated; resuming from the previous checkpoint {Checkpoint.PreviousPath(_path)} (the damaged file is kept as checkpoint.damaged.bin)"], warnings);
        Assert.False(File.Exists(_path));
        Assert.Equal(damaged, File.ReadAllBytes(Checkpoint.DamagedPath(_path)));

        File.WriteAllBytes(_path, damaged);
        File.WriteAllBytes(Checkpoint.PreviousPath(_path), good[..100]);
        using (var trainer = Trainer())
        {
            var e = Assert.Throws<InvalidInputException>(() => Checkpoint.LoadNewest(_path, path => Checkpoint.Load(trainer, path), warnings.Add));
            Assert.Equal($"{_path}: checksum mismatch: the checkpoint is corrupt or truncated; the previous checkpoint is no better: {Checkpoint.PreviousPath(_path)}: checksum mismatch: the checkpoint is corrupt or truncated", e.Message);
        }
        Assert.Single(warnings);
    }

    [Fact]
    public void Another_file_or_format_version_is_named()
    {
        var bytes = Saved();
        var other = (byte[])bytes.Clone();
        other[0] = (byte)'X';
        Assert.EndsWith("not a dha checkpoint", LoadFails(other).Message);
        var future = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(future.AsSpan(Checkpoint.Magic.Length), Checkpoint.FormatVersion + 1);
        Assert.Contains($"format version {Checkpoint.FormatVersion + 1} is not supported", LoadFails(future).Message);
    }

    [Fact]
    public void Unknown_missing_and_mismatched_sections_are_named()
    {
        var bytes = Saved();
        var sections = Checkpoint.Unpack(bytes, _path);
        var extra = Checkpoint.Pack([.. sections.Select(s => (s.Key, s.Value.ToArray())), ("gossip", new byte[3])]);
        Assert.EndsWith("unknown section 'gossip'", LoadFails(extra).Message);
        var missing = Checkpoint.Pack([.. sections.Where(s => s.Key != "encoder").Select(s => (s.Key, s.Value.ToArray()))]);
        Assert.EndsWith("the 'encoder' section is missing", LoadFails(missing).Message);
        Assert.Contains("written in another mode", LoadFails(bytes, mode: "nas").Message);
        var longer = WithSection(bytes, "hyper-learner", p => [.. p, 0]);
        Assert.EndsWith("the 'hyper-learner' section has 1 bytes left over", LoadFails(longer).Message);
        var shorter = WithSection(bytes, "encoder", p => p[..^5]);
        Assert.EndsWith("the 'encoder' section ends early", LoadFails(shorter).Message);
    }
}
