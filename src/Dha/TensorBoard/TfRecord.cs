using System.Buffers.Binary;
using TorchSharp.Utils;

namespace Dha.TensorBoard;

/// <summary>
/// The TFRecord framing of TensorBoard event files: each record is its length (uint64, little-endian), the masked
/// CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. CRC-32C (Castagnoli) comes from
/// TorchSharp (<see cref="CRC32C"/>); <c>System.IO.Hashing</c> up to 11.0.0 has only the IEEE CRC-32.
/// </summary>
internal static class TfRecord
{
    private const int HeaderBytes = 12;
    private const int FooterBytes = 4;

    /// <summary>Writes one record holding <paramref name="data"/>.</summary>
    public static void Write(Stream stream, byte[] data)
    {
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)data.Length);
        Span<byte> crc = stackalloc byte[4];
        stream.Write(length);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(length));
        stream.Write(crc);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(crc, MaskedCrc(data));
        stream.Write(crc);
    }

    /// <summary>
    /// The records of <paramref name="stream"/> up to the first one that is cut short or fails a CRC (a write killed
    /// mid-record leaves such a tail); <paramref name="complete"/> tells whether every byte belonged to a good record.
    /// </summary>
    public static List<byte[]> ReadValid(Stream stream, out bool complete)
    {
        var records = new List<byte[]>();
        var header = new byte[HeaderBytes];
        var footer = new byte[FooterBytes];
        while (true)
        {
            var read = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
            if (read == 0)
            {
                complete = true;
                return records;
            }
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            complete = false;
            if (read < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != MaskedCrc(header[..8])
                || length > (ulong)(stream.Length - stream.Position))
            {
                return records;
            }
            var data = new byte[length];
            if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length
                || stream.ReadAtLeast(footer, FooterBytes, throwOnEndOfStream: false) < FooterBytes
                || BinaryPrimitives.ReadUInt32LittleEndian(footer) != MaskedCrc(data))
            {
                return records;
            }
            records.Add(data);
        }
    }

    /// <summary>The masked CRC of TFRecord: CRC-32C rotated right by 15 bits plus a constant.</summary>
    public static uint MaskedCrc(byte[] data)
    {
        var crc = CRC32C.process(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
