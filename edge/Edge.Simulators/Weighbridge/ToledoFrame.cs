using System.Globalization;

namespace Edge.Simulators.Weighbridge;

/// <summary>
/// Builds METTLER TOLEDO continuous-output frames: STX, status words A, B and C, six weight digits, six tare
/// digits, CR and the optional checksum (two's complement of the low seven bits of the sum of every byte before it).
/// </summary>
/// <remarks>
/// The weighbridge counts in 20 kg divisions: status word A says "one dummy zero" (the six digits are tens of kg) and
/// "increment 2", so the terminal shows 49 020 kg as <c>004902</c>. Bit 5 of each status word is always set, as the
/// terminals send it, which keeps the bytes printable.
/// </remarks>
internal static class ToledoFrame
{
    public const byte Stx = 0x02;
    public const byte Cr = 0x0D;
    public const int Length = 18;

    /// <summary>Status word A: bit 5 always on, bits 3–4 increment code 2 (×2), bits 0–2 decimal code 1 (×10).</summary>
    public const byte StatusA = 0x20 | (2 << 3) | 1;

    /// <summary>The weight of one display division, kg.</summary>
    public const int DivisionKg = 20;

    public static byte[] Build(int weightKg, int tareKg, bool motion, bool overload = false, bool checksum = true)
    {
        var frame = new byte[checksum ? Length : Length - 1];
        Write(frame, weightKg, tareKg, motion, overload, checksum);
        return frame;
    }

    public static void Write(Span<byte> frame, int weightKg, int tareKg, bool motion, bool overload, bool checksum)
    {
        var negative = weightKg < 0;

        // Status word B: bit 5 always on, bit 4 kg, bit 3 motion, bit 2 out of range, bit 1 negative, bit 0 net.
        var b = 0x20 | 0x10 | (motion ? 0x08 : 0) | (overload ? 0x04 : 0) | (negative ? 0x02 : 0);
        frame[0] = Stx;
        frame[1] = StatusA;
        frame[2] = (byte)b;
        frame[3] = 0x20;
        Digits(frame.Slice(4, 6), Math.Abs(weightKg) / 10);
        Digits(frame.Slice(10, 6), Math.Abs(tareKg) / 10);
        frame[16] = Cr;
        if (checksum)
        {
            var sum = 0;
            for (var i = 0; i < Length - 1; i++)
            {
                sum += frame[i];
            }

            frame[17] = (byte)(-sum & 0x7F);
        }
    }

    private static void Digits(Span<byte> field, int value)
    {
        var text = Math.Min(value, 999_999).ToString("D6", CultureInfo.InvariantCulture);
        for (var i = 0; i < 6; i++)
        {
            field[i] = (byte)text[i];
        }
    }
}
