using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Dha.Search;

/// <summary>
/// The one checkpoint format of a run: everything a <see cref="DhaTrainer"/> needs to continue exactly where it
/// stands, in one versioned, checksummed container. Each learner writes its own named section; the container alone
/// carries the format version, so the sections have no headers of their own.
/// <code>
/// "DHA-CKPT"  int32 version  section bytes…  int32 count  { int32 name length, UTF-8 name, int32 offset, int32 length }*
/// int32 table offset  SHA-256 of all before
/// </code>
/// The first section, <c>run</c>, is the <see cref="RunFingerprint"/> of the run that wrote it: a checkpoint is only
/// ever loaded into the run it belongs to. Two generations are kept: writing <c>checkpoint.bin</c> moves the one it
/// replaces to <c>checkpoint.prev.bin</c> (<see cref="PreviousPath"/>), and <see cref="LoadNewest"/> falls back to it
/// when the newest is damaged.
/// Integers are little-endian; the sections follow one another from byte 12 to the table. The table comes last so
/// that the learners write straight into the file, with no copy of the state in memory (a copy of a network's
/// weights would be large-object garbage at every checkpoint). Loading trusts nothing: every offset and length is
/// checked against the file before anything is read or allocated from it, and any fault is an
/// <see cref="InvalidInputException"/> naming the file.
/// </summary>
internal static class Checkpoint
{
    /// <summary>The version this build writes and reads.</summary>
    public const int FormatVersion = 2;

    internal static ReadOnlySpan<byte> Magic => "DHA-CKPT"u8;

    private const int HashBytes = 32;
    private const int MaxNameBytes = 64;
    private const int MaxSections = 64;
    private const string Run = "run";
    private const string Position = "position";
    private const string Augmentation = "augmentation";
    internal const string Network = "network";
    private const string Encoder = "encoder";
    private const string Policy = "policy";
    internal const string Weights = "weight-optimiser";
    private const string Hyper = "hyper-learner";

    /// <summary>Writes the trainer's state to <paramref name="path"/> atomically (a crash leaves the previous file).</summary>
    public static void Save(DhaTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var sections = new List<(string Name, Action<BinaryWriter> Write)>
        {
            (Augmentation, trainer.Augmentation.Save),
            (Network, w => trainer.Network.save(w)),
            (Encoder, trainer.Encoder.Save),
        };
        if (trainer.Policy is { } policy)
        {
            sections.Add((Policy, policy.Save));
        }
        sections.Add((Weights, trainer.Weights.Save));
        sections.Add((Hyper, trainer.Hyper.Save));
        SaveSections(path, RunFingerprint.Of(trainer.Options, trainer.Splits), trainer.Position, sections);
    }

    /// <summary>Where the checkpoint that <paramref name="path"/> replaced is kept: <c>checkpoint.prev.bin</c> beside <c>checkpoint.bin</c>.</summary>
    public static string PreviousPath(string path) => Path.ChangeExtension(path, ".prev" + Path.GetExtension(path));

    /// <summary>Where a damaged newest checkpoint is moved when a resume falls back: <c>checkpoint.damaged.bin</c>.</summary>
    public static string DamagedPath(string path) => Path.ChangeExtension(path, ".damaged" + Path.GetExtension(path));

    /// <summary>
    /// Resumes from <paramref name="path"/> with <paramref name="load"/> or, if it is damaged or missing, from the
    /// previous checkpoint (<see cref="PreviousPath"/>), saying so in one line to <paramref name="warn"/>. The damaged
    /// file is moved aside to <see cref="DamagedPath"/>, so the next checkpoint does not keep it as the previous
    /// one. Every learner's state is overwritten by a load, so a half-done load of the damaged file leaves nothing.
    /// </summary>
    /// <exception cref="InvalidInputException">Neither checkpoint loads: one line with both reasons.</exception>
    public static void LoadNewest(string path, Action<string> load, Action<string>? warn)
    {
        ArgumentNullException.ThrowIfNull(load);
        var previous = PreviousPath(path);
        string newestFault;
        if (File.Exists(path))
        {
            try
            {
                load(path);
                return;
            }
            catch (InvalidInputException e) when (File.Exists(previous))
            {
                newestFault = e.Message;
            }
        }
        else if (File.Exists(previous))
        {
            newestFault = $"{path}: missing";
        }
        else
        {
            throw new InvalidInputException($"{path}: missing, and no previous checkpoint beside it");
        }
        try
        {
            load(previous);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{newestFault}; the previous checkpoint is no better: {e.Message}", e.ExitCode, e);
        }
        var aside = "";
        if (File.Exists(path))
        {
            File.Move(path, DamagedPath(path), overwrite: true);
            aside = $" (the damaged file is kept as {Path.GetFileName(DamagedPath(path))})";
        }
        warn?.Invoke($"{newestFault}; resuming from the previous checkpoint {previous}{aside}");
    }

    /// <summary>
    /// Writes a trainer's position and then its learners' sections to <paramref name="path"/> atomically; any
    /// trainer's checkpoint is this container.
    /// </summary>
    internal static void SaveSections(string path, byte[] run, TrainerPosition position, IReadOnlyList<(string Name, Action<BinaryWriter> Write)> learners) =>
        AtomicFile.Write(path, stream => Write(stream, [(Run, w => w.Write(run)), (Position, position.Write), .. learners]), PreviousPath(path));

    /// <summary>Restores what <see cref="Save"/> wrote into a trainer built with the same options and data.</summary>
    /// <exception cref="InvalidInputException">The file is not a checkpoint of this format, is damaged, or belongs to another run.</exception>
    public static void Load(DhaTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var learners = new List<(string Name, Action<BinaryReader> Read)>
        {
            (Augmentation, trainer.Augmentation.Load),
            (Network, r => trainer.Network.load(r)),
            (Encoder, trainer.Encoder.Load),
        };
        if (trainer.Policy is { } policy)
        {
            learners.Add((Policy, policy.Load));
        }
        learners.Add((Weights, trainer.Weights.Load));
        learners.Add((Hyper, trainer.Hyper.Load));
        LoadSections(path, RunFingerprint.Of(trainer.Options, trainer.Splits), learners, trainer.Resume, unexpected: name => name == Policy
            ? $"{path}: holds an augmentation policy, but this run's mode ({trainer.Options.Mode.ToText()}) has none; the checkpoint was written in another mode"
            : null);
    }

    /// <summary>
    /// Reads what <see cref="SaveSections"/> wrote: the file must hold the position and exactly the named sections, which are read in order; then
    /// <paramref name="resume"/> continues at the position.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="run">The <see cref="RunFingerprint"/> of the run loading it, which must be the one it holds.</param>
    /// <param name="learners">Each section's name and reader.</param>
    /// <param name="resume">Checks the position against the run and continues there.</param>
    /// <param name="unexpected">The message for a section this run does not have (null: "unknown section").</param>
    /// <exception cref="InvalidInputException">The file is not a checkpoint of this format, is damaged, or belongs to another run.</exception>
    internal static void LoadSections(string path, byte[] run, IReadOnlyList<(string Name, Action<BinaryReader> Read)> learners, Action<TrainerPosition> resume,
        Func<string, string?>? unexpected = null)
    {
        var sections = Unpack(ReadFile(path), path);

        List<string> expected = [Run, Position, .. learners.Select(l => l.Name)];
        foreach (var name in sections.Keys.Where(n => !expected.Contains(n)))
        {
            throw new InvalidInputException(unexpected?.Invoke(name) ?? $"{path}: unknown section '{name}'");
        }
        foreach (var name in expected.Where(n => !sections.ContainsKey(n)))
        {
            throw new InvalidInputException($"{path}: the '{name}' section is missing");
        }

        // before anything is read into the trainer
        if (!sections[Run].AsSpan().SequenceEqual(run))
        {
            throw new InvalidInputException(
                $"{path}: belongs to another run (its fingerprint of the options, data and architecture differs from this run's); it cannot be resumed here");
        }
        var position = Read(sections, Position, path, TrainerPosition.Read);
        foreach (var (name, read) in learners)
        {
            Read(sections, name, path, read);
        }
        try
        {
            resume(position);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{path}: the '{Position}' section: {WithoutPrefix(e.Message)}", e.ExitCode, e);
        }
    }

    /// <summary>
    /// The phase of the position a checkpoint holds, once the container checks out: how a search-then-retrain run
    /// tells a checkpoint of its search from one of its retraining.
    /// </summary>
    /// <exception cref="InvalidInputException">The file is not a checkpoint of this format, is damaged, or has no position.</exception>
    internal static SearchPhase PhaseOf(string path)
    {
        var sections = Unpack(ReadFile(path), path);
        if (!sections.ContainsKey(Position))
        {
            throw new InvalidInputException($"{path}: the '{Position}' section is missing");
        }
        return Read(sections, Position, path, TrainerPosition.Read).Phase;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read the checkpoint ({e.Message})");
        }
    }

    /// <summary>The container bytes of <paramref name="sections"/>, in order, with their checksum.</summary>
    internal static byte[] Pack(IReadOnlyList<(string Name, byte[] Payload)> sections)
    {
        using var stream = new MemoryStream();
        Write(stream, [.. sections.Select(s => (s.Name, (Action<BinaryWriter>)(w => w.Write(s.Payload))))]);
        return stream.ToArray();
    }

    private static void Write(Stream file, IReadOnlyList<(string Name, Action<BinaryWriter> Write)> sections)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var hashing = new HashingStream(file, hash))
        using (var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var table = new List<(string Name, long Offset, long Length)>();
            foreach (var (name, write) in sections)
            {
                writer.Flush();
                var start = hashing.Position;
                write(writer);
                writer.Flush();
                table.Add((name, start, hashing.Position - start));
            }
            var tableOffset = checked((int)hashing.Position);
            writer.Write(table.Count);
            foreach (var (name, offset, length) in table)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                writer.Write(checked((int)offset));
                writer.Write(checked((int)length));
            }
            writer.Write(tableOffset);
        }
        file.Write(hash.GetHashAndReset());
    }

    /// <summary>The sections of a container, after its magic, version, checksum, table and every length are checked.</summary>
    internal static Dictionary<string, ArraySegment<byte>> Unpack(byte[] bytes, string path)
    {
        var header = Magic.Length + sizeof(int);
        if (bytes.Length < header + sizeof(int) + sizeof(int) + HashBytes)
        {
            throw new InvalidInputException($"{path}: truncated checkpoint ({bytes.Length} bytes)");
        }
        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidInputException($"{path}: not a dha checkpoint");
        }
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (version != FormatVersion)
        {
            throw new InvalidInputException($"{path}: checkpoint format version {version} is not supported (this build reads version {FormatVersion})");
        }
        var end = bytes.Length - HashBytes;
        if (!SHA256.HashData(bytes.AsSpan(0, end)).AsSpan().SequenceEqual(bytes.AsSpan(end)))
        {
            throw new InvalidInputException($"{path}: checksum mismatch: the checkpoint is corrupt or truncated");
        }

        var footer = end - sizeof(int);
        var tableOffset = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(footer));
        if (tableOffset < header || tableOffset > footer - sizeof(int))
        {
            throw new InvalidInputException($"{path}: the section table offset {tableOffset} lies outside the file");
        }
        var position = tableOffset;
        var count = ReadInt(bytes, ref position, footer, path);
        if (count is < 0 or > MaxSections)
        {
            throw new InvalidInputException($"{path}: the checkpoint claims {count} sections (0 to {MaxSections})");
        }
        var sections = new Dictionary<string, ArraySegment<byte>>();
        var next = header;
        for (var i = 0; i < count; i++)
        {
            var nameLength = ReadInt(bytes, ref position, footer, path);
            if (nameLength is <= 0 or > MaxNameBytes || nameLength > footer - position)
            {
                throw new InvalidInputException($"{path}: section {i + 1} has a name of {nameLength} bytes (1 to {MaxNameBytes})");
            }
            var name = Encoding.UTF8.GetString(bytes, position, nameLength);
            position += nameLength;
            var offset = ReadInt(bytes, ref position, footer, path);
            var length = ReadInt(bytes, ref position, footer, path);
            // the sections tile the bytes between the header and the table, in order
            if (offset != next || length < 0 || length > tableOffset - offset)
            {
                throw new InvalidInputException($"{path}: section '{name}' claims {length} bytes at offset {offset}, but its data is the {tableOffset - next} bytes at {next}");
            }
            if (!sections.TryAdd(name, new ArraySegment<byte>(bytes, offset, length)))
            {
                throw new InvalidInputException($"{path}: section '{name}' appears twice");
            }
            next = offset + length;
        }
        if (next != tableOffset || position != footer)
        {
            throw new InvalidInputException($"{path}: the section table does not account for every byte of the checkpoint");
        }
        return sections;
    }

    private static int ReadInt(byte[] bytes, ref int position, int end, string path)
    {
        if (end - position < sizeof(int))
        {
            throw new InvalidInputException($"{path}: the section table ends early");
        }
        var value = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position));
        position += sizeof(int);
        return value;
    }

    private static void Read(Dictionary<string, ArraySegment<byte>> sections, string name, string path, Action<BinaryReader> read) =>
        Read(sections, name, path, r =>
        {
            read(r);
            return true;
        });

    /// <summary>Runs <paramref name="read"/> on one section, which it must consume exactly; any fault names the file and section.</summary>
    private static T Read<T>(Dictionary<string, ArraySegment<byte>> sections, string name, string path, Func<BinaryReader, T> read)
    {
        var section = sections[name];
        using var stream = new MemoryStream(section.Array!, section.Offset, section.Count, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        T value;
        try
        {
            value = read(reader);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputException($"{path}: the '{name}' section ends early");
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{path}: the '{name}' section: {WithoutPrefix(e.Message)}", e.ExitCode, e);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException)
        {
            // TorchSharp reports a tensor of another shape or type as an ArgumentException
            throw new InvalidInputException($"{path}: the '{name}' section does not fit this run ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (stream.Position != stream.Length)
        {
            throw new InvalidInputException($"{path}: the '{name}' section has {stream.Length - stream.Position} bytes left over");
        }
        return value;
    }

    // the learners' messages start with "checkpoint: " for callers that read their state alone
    private static string WithoutPrefix(string message) =>
        message.StartsWith("checkpoint: ", StringComparison.Ordinal) ? message["checkpoint: ".Length..] : message;

    /// <summary>Passes writes on to the file and into the checksum, counting the bytes written.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        private long _position;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _position;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
            _position += buffer.Length;
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
