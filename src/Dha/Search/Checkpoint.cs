using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Dha.Search;

/// <summary>
/// The one checkpoint format of a run: everything a <see cref="DhaTrainer"/> needs to continue exactly where it
/// stands, in one versioned, checksummed container. Each learner writes its own named section; the container alone
/// carries the format version, so the sections have no headers of their own.
/// <code>
/// "DHA-CKPT"  int32 version  int32 sections  { int32 name length, UTF-8 name, int32 length, bytes }*  SHA-256 of all before
/// </code>
/// Integers are little-endian. Loading trusts nothing: every length is checked against the bytes that remain before
/// anything is allocated from it, and any fault is an <see cref="InvalidInputException"/> naming the file.
/// </summary>
public static class Checkpoint
{
    /// <summary>The version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    internal static ReadOnlySpan<byte> Magic => "DHA-CKPT"u8;

    private const int HashBytes = 32;
    private const int MaxNameBytes = 64;
    private const int MaxSections = 64;
    private const string Position = "position";
    private const string Augmentation = "augmentation";
    private const string Network = "network";
    private const string Encoder = "encoder";
    private const string Policy = "policy";
    private const string Weights = "weight-optimiser";
    private const string Hyper = "hyper-learner";

    /// <summary>Writes the trainer's state to <paramref name="path"/> atomically (a crash leaves the previous file).</summary>
    public static void Save(DhaTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var sections = new List<(string Name, byte[] Payload)>
        {
            (Position, Serialise(trainer.Position.Write)),
            (Augmentation, Serialise(trainer.Augmentation.Save)),
            (Network, Serialise(w => trainer.Network.save(w))),
            (Encoder, Serialise(trainer.Encoder.Save)),
        };
        if (trainer.Policy is { } policy)
        {
            sections.Add((Policy, Serialise(policy.Save)));
        }
        sections.Add((Weights, Serialise(trainer.Weights.Save)));
        sections.Add((Hyper, Serialise(trainer.Hyper.Save)));
        var bytes = Pack(sections);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Restores what <see cref="Save"/> wrote into a trainer built with the same options and data.</summary>
    /// <exception cref="InvalidInputException">The file is not a checkpoint of this format, is damaged, or belongs to another run.</exception>
    public static void Load(DhaTrainer trainer, string path)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"{path}: cannot read the checkpoint ({e.Message})");
        }
        var sections = Unpack(bytes, path);

        var expected = new List<string> { Position, Augmentation, Network, Encoder };
        if (trainer.Policy is not null)
        {
            expected.Add(Policy);
        }
        expected.AddRange([Weights, Hyper]);
        foreach (var name in sections.Keys.Where(n => !expected.Contains(n)))
        {
            throw new InvalidInputException(name == Policy
                ? $"{path}: holds an augmentation policy, but this run's mode ({trainer.Options.Mode.ToText()}) has none; the checkpoint was written in another mode"
                : $"{path}: unknown section '{name}'");
        }
        foreach (var name in expected.Where(n => !sections.ContainsKey(n)))
        {
            throw new InvalidInputException($"{path}: the '{name}' section is missing");
        }

        var position = Read(sections, Position, path, TrainerPosition.Read);
        Read(sections, Augmentation, path, trainer.Augmentation.Load);
        Read(sections, Network, path, r => trainer.Network.load(r));
        Read(sections, Encoder, path, trainer.Encoder.Load);
        if (trainer.Policy is { } policy)
        {
            Read(sections, Policy, path, policy.Load);
        }
        Read(sections, Weights, path, trainer.Weights.Load);
        Read(sections, Hyper, path, trainer.Hyper.Load);
        try
        {
            trainer.Resume(position);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException($"{path}: the '{Position}' section: {WithoutPrefix(e.Message)}", e.ExitCode, e);
        }
    }

    /// <summary>The container bytes of <paramref name="sections"/>, in order, with their checksum.</summary>
    internal static byte[] Pack(IReadOnlyList<(string Name, byte[] Payload)> sections)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(sections.Count);
            foreach (var (name, payload) in sections)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                writer.Write(payload.Length);
                writer.Write(payload);
            }
        }
        var body = stream.ToArray();
        return [.. body, .. SHA256.HashData(body)];
    }

    /// <summary>The sections of a container, after its magic, version, checksum and every length are checked.</summary>
    internal static Dictionary<string, byte[]> Unpack(byte[] bytes, string path)
    {
        var header = Magic.Length + sizeof(int) + sizeof(int);
        if (bytes.Length < header + HashBytes)
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

        var offset = Magic.Length + sizeof(int);
        var count = ReadLength(bytes, ref offset, end, path, "the section count");
        if (count > MaxSections)
        {
            throw new InvalidInputException($"{path}: the checkpoint claims {count} sections (at most {MaxSections})");
        }
        var sections = new Dictionary<string, byte[]>();
        for (var i = 0; i < count; i++)
        {
            var nameLength = ReadLength(bytes, ref offset, end, path, $"the name of section {i + 1}");
            if (nameLength is 0 or > MaxNameBytes)
            {
                throw new InvalidInputException($"{path}: section {i + 1} has a name of {nameLength} bytes (1 to {MaxNameBytes})");
            }
            var name = Encoding.UTF8.GetString(bytes, offset, nameLength);
            offset += nameLength;
            var length = ReadLength(bytes, ref offset, end, path, $"section '{name}'");
            if (!sections.TryAdd(name, bytes[offset..(offset + length)]))
            {
                throw new InvalidInputException($"{path}: section '{name}' appears twice");
            }
            offset += length;
        }
        if (offset != end)
        {
            throw new InvalidInputException($"{path}: {end - offset} bytes after the last section");
        }
        return sections;
    }

    /// <summary>A non-negative int32 length at <paramref name="offset"/> whose bytes follow within <paramref name="end"/>.</summary>
    private static int ReadLength(byte[] bytes, ref int offset, int end, string path, string what)
    {
        if (end - offset < sizeof(int))
        {
            throw new InvalidInputException($"{path}: the checkpoint ends inside its section table");
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
        offset += sizeof(int);
        if (length < 0 || length > end - offset)
        {
            throw new InvalidInputException($"{path}: {what} claims {length} bytes, but {end - offset} remain");
        }
        return length;
    }

    private static byte[] Serialise(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }
        return stream.ToArray();
    }

    private static void Read(Dictionary<string, byte[]> sections, string name, string path, Action<BinaryReader> read) =>
        Read(sections, name, path, r =>
        {
            read(r);
            return true;
        });

    /// <summary>Runs <paramref name="read"/> on one section, which it must consume exactly; any fault names the file and section.</summary>
    private static T Read<T>(Dictionary<string, byte[]> sections, string name, string path, Func<BinaryReader, T> read)
    {
        using var stream = new MemoryStream(sections[name], writable: false);
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
}
