using System.Text;

namespace Edge.Contracts;

/// <summary>
/// The short ASCII strings payloads repeat in every message — gateway, device and channel ids, reading kinds, enum
/// names, units, the schema version — looked up by their UTF-8 bytes, so that decoding a message does not allocate
/// them again each time.
/// </summary>
/// <remarks>
/// Direct-mapped and lossy: a slot holds the last string that hashed to it, so memory stays bounded whatever a
/// hostile publisher sends (at most <see cref="Slots"/> entries of <see cref="MaxLength"/> bytes), and two strings
/// sharing a slot merely allocate again. Entries are immutable and published with one reference write, so any
/// number of threads may decode at once without a lock.
/// </remarks>
internal static class Utf8StringCache
{
    /// <summary>The longest string cached (ids are at most this long).</summary>
    public const int MaxLength = ContractLimits.MaxIdLength;

    private const int Slots = 1024;
    private static readonly Entry?[] s_slots = new Entry?[Slots];

    /// <summary>The string of <paramref name="ascii"/>, from the cache when it is there.</summary>
    /// <param name="ascii">Bytes below 0x80 only, at most <see cref="MaxLength"/> of them.</param>
    /// <returns>The string.</returns>
    public static string Get(ReadOnlySpan<byte> ascii)
    {
        var hash = new HashCode();
        hash.AddBytes(ascii);
        ref var slot = ref s_slots[hash.ToHashCode() & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && ascii.SequenceEqual(entry.Utf8))
        {
            return entry.Text;
        }

        var text = Encoding.ASCII.GetString(ascii);
        Volatile.Write(ref slot, new Entry(ascii.ToArray(), text));
        return text;
    }

    private sealed record Entry(byte[] Utf8, string Text);
}
