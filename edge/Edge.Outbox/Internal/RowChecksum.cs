using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Edge.Outbox.Internal;

/// <summary>
/// A CRC-32C over every column of an outbox row, stored beside it. SQLite has no page checksums: a flipped bit inside a
/// payload on a worn SD card reads back as a well-formed row, and a weight with one wrong digit still parses. The
/// checksum turns that into damage the outbox can see, so the row is declared lost instead of sent.
/// </summary>
/// <remarks>
/// The seq is part of the sum, so a row that a damaged page shows under another key fails too. Lengths separate the
/// variable fields, so moving a character from one field to the next changes the sum. CRC-32C uses the processor's
/// instruction where there is one (SSE 4.2, ARMv8 CRC), which the Raspberry Pi 3 and later have.
/// </remarks>
internal static class RowChecksum
{
    internal static long Compute(long seq, string kind, string deviceId, long timestampTicks, bool clockSynced, long acceptedTicks, ReadOnlySpan<byte> payload)
    {
        var crc = uint.MaxValue;
        crc = BitOperations.Crc32C(crc, (ulong)seq);
        crc = BitOperations.Crc32C(crc, (ulong)timestampTicks);
        crc = BitOperations.Crc32C(crc, (ulong)acceptedTicks);
        crc = BitOperations.Crc32C(crc, clockSynced ? (byte)1 : (byte)0);
        crc = Add(crc, kind);
        crc = Add(crc, deviceId);
        crc = Add(crc, payload);
        return ~crc;
    }

    private static uint Add(uint crc, string text)
    {
        // Over the UTF-8 that SQLite stores, not the UTF-16 in memory: a string that is not well-formed UTF-16 (a lone
        // surrogate) is stored with U+FFFD in its place and must still match when it is read back.
        var length = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        var utf8 = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, utf8);
            return Add(crc, utf8[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static uint Add(uint crc, ReadOnlySpan<byte> bytes)
    {
        crc = BitOperations.Crc32C(crc, (uint)bytes.Length);
        while (bytes.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[sizeof(ulong)..];
        }

        foreach (var b in bytes)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
