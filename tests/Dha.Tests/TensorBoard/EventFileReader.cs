using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace Dha.Tests.TensorBoard;

/// <summary>One value of an event: a scalar, or a text (plugin <c>text</c>, one string).</summary>
internal sealed record EventValue(string Tag, float? Scalar, string? Plugin, string? Text);

/// <summary>One event read back: its wall time, step, file version (first event only) and values.</summary>
internal sealed record EventRecord(double WallTime, long Step, string? FileVersion, IReadOnlyList<EventValue> Values);

/// <summary>
/// Reads TensorBoard event files independently of the code under test: its own bitwise CRC-32C, the TFRecord framing
/// checked record by record (length, both masked CRCs, no trailing bytes), and the Event / Summary messages decoded
/// field by field at the wire level with the field numbers of TensorFlow's event.proto, summary.proto and tensor.proto.
/// </summary>
internal static class EventFileReader
{
    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }
        return ~crc;
    }

    public static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);

    /// <summary>Every event of the file; fails the test on any framing or CRC error.</summary>
    public static List<EventRecord> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<EventRecord>();
        var at = 0;
        while (at < bytes.Length)
        {
            Assert.True(bytes.Length - at >= 12, $"{path}: a header cut short at byte {at}");
            var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.Equal(Masked(Crc32C(bytes.AsSpan(at, 8))), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            Assert.True((ulong)(bytes.Length - at - 16) >= length, $"{path}: a record cut short at byte {at}");
            var data = bytes.AsSpan(at + 12, (int)length);
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + (int)length)));
            events.Add(ParseEvent(data.ToArray()));
            at += 16 + (int)length;
        }
        return events;
    }

    /// <summary>The events of every event file in <paramref name="folder"/>, files in name order (as TensorBoard reads them).</summary>
    public static List<EventRecord> ReadFolder(string folder) =>
        [.. Directory.GetFiles(folder, "events.out.tfevents.*").Order(StringComparer.Ordinal).SelectMany(Read)];

    /// <summary>(tag, step) → scalar, failing on a (tag, step) written twice.</summary>
    public static Dictionary<(string Tag, long Step), float> Scalars(IEnumerable<EventRecord> events)
    {
        var scalars = new Dictionary<(string, long), float>();
        foreach (var e in events)
        {
            foreach (var v in e.Values.Where(v => v.Scalar is not null))
            {
                Assert.True(scalars.TryAdd((v.Tag, e.Step), v.Scalar!.Value), $"{v.Tag} at step {e.Step} written twice");
            }
        }
        return scalars;
    }

    /// <summary>The scalars of every event file of <paramref name="run"/> (once each), without the timings: what two equal runs share.</summary>
    public static List<KeyValuePair<(string Tag, long Step), float>> ScalarsWithoutTime(string run) =>
        [.. Scalars(ReadFolder(Path.Combine(run, "tensorboard")))
            .Where(s => !s.Key.Tag.EndsWith("seconds", StringComparison.Ordinal))
            .OrderBy(s => s.Key.Tag, StringComparer.Ordinal).ThenBy(s => s.Key.Step)];

    private static EventRecord ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        var values = new List<EventValue>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    wallTime = input.ReadDouble();
                    break;
                case 2:
                    step = input.ReadInt64();
                    break;
                case 3:
                    fileVersion = input.ReadString();
                    break;
                case 5:
                    values.AddRange(Fields(input.ReadBytes(), 1).Select(v => ParseValue(v.ToByteArray())));
                    break; // Summary.value
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new EventRecord(wallTime, step, fileVersion, values);
    }

    private static EventValue ParseValue(byte[] data)
    {
        var input = new CodedInputStream(data);
        var tagName = "";
        float? scalar = null;
        string? plugin = null;
        string? text = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    tagName = input.ReadString();
                    break;
                case 2:
                    scalar = input.ReadFloat();
                    break;
                case 8:
                    text = Encoding.UTF8.GetString(Fields(input.ReadBytes(), 8).Single().Span);
                    break; // TensorProto.string_val
                case 9:
                    plugin = Fields(Fields(input.ReadBytes(), 1).Single().ToByteArray(), 1).Single().ToStringUtf8();
                    break; // metadata.plugin_data.plugin_name
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return new EventValue(tagName, scalar, plugin, text);
    }

    /// <summary>The length-delimited fields numbered <paramref name="field"/> of a message.</summary>
    private static List<ByteString> Fields(ByteString message, int field) => Fields(message.ToByteArray(), field);

    private static List<ByteString> Fields(byte[] message, int field)
    {
        var input = new CodedInputStream(message);
        var found = new List<ByteString>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }
}
