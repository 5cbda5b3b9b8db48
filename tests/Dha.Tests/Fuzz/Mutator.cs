using System.Buffers.Binary;

namespace Dha.Tests.Fuzz;

/// <summary>
/// Seeded damage to a valid file: bit flips, bytes set to 0x00/0x7F/0x80/0xFF, 32- and 64-bit length fields set to
/// values readers trip over (both byte orders), truncation, insertion, deletion and duplication of runs. Half the
/// positions fall in the first or last 256 bytes, where headers, tables and trailers live, so a file that is mostly
/// pixels still has its structure hit often. The same seed gives the same mutations.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly long[] Lengths =
        [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, int.MaxValue, int.MaxValue - 15, int.MinValue, uint.MaxValue, 1L << 33, long.MaxValue];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>A damaged copy of <paramref name="valid"/> (one to three mutations).</summary>
    public byte[] Mutate(byte[] valid)
    {
        var bytes = valid.ToArray();
        var count = 1 + _random.Next(3);
        for (var i = 0; i < count; i++)
        {
            bytes = MutateOnce(bytes);
        }
        return bytes;
    }

    private byte[] MutateOnce(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return [(byte)_random.Next(256)];
        }
        var at = Position(bytes.Length);
        switch (_random.Next(9))
        {
            case 0:
                bytes[at] ^= (byte)(1 << _random.Next(8));
                return bytes;
            case 1:
                bytes[at] = new byte[] { 0x00, 0x7f, 0x80, 0xff }[_random.Next(4)];
                return bytes;
            case 2:
            case 3:
                return WithLength(bytes, at);
            case 4:
                return bytes[..at];
            case 5:
                var inserted = new byte[1 + _random.Next(16)];
                _random.NextBytes(inserted);
                return [.. bytes[..at], .. inserted, .. bytes[at..]];
            case 6:
                return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + 1 + _random.Next(16))..]];
            case 7:
                var run = bytes[at..Math.Min(bytes.Length, at + 1 + _random.Next(64))];
                return [.. bytes[..at], .. run, .. bytes[at..]];
            default:
                bytes[at] = (byte)_random.Next(256);
                return bytes;
        }
    }

    private byte[] WithLength(byte[] bytes, int at)
    {
        var value = Lengths[_random.Next(Lengths.Length)];
        var wide = _random.Next(2) == 0;
        var size = wide ? 8 : 4;
        if (bytes.Length < size)
        {
            return bytes;
        }
        var span = bytes.AsSpan(Math.Min(at, bytes.Length - size), size);
        var bigEndian = _random.Next(2) == 0;
        if (wide)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt64BigEndian(span, value);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(span, value);
            }
        }
        else if (bigEndian)
        {
            BinaryPrimitives.WriteInt32BigEndian(span, (int)value);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, (int)value);
        }
        return bytes;
    }

    private int Position(int length)
    {
        const int edge = 256;
        if (length <= 2 * edge || _random.Next(2) == 0)
        {
            return _random.Next(length);
        }
        var offset = _random.Next(2 * edge);
        return offset < edge ? offset : length - (2 * edge) + offset;
    }
}
