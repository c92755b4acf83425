using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// METTLER TOLEDO "continuous output" (Toledo format), sent by most weighbridge terminals several times a second:
/// <c>STX SWA SWB SWC wwwwww tttttt CR [CKS]</c>.
/// </summary>
/// <remarks>
/// Field meanings, from the terminals' technical manuals (e.g. the Wildcat and IND-series appendices
/// "Continuous Output"):
/// <list type="bullet">
/// <item>Status word A, bits 0–2: decimal point or dummy zeros. 0 → ×100 (two dummy zeros), 1 → ×10, 2 → ×1,
/// 3 → 0.1, 4 → 0.01, 5 → 0.001, 6 → 0.0001, 7 → 0.00001. Bits 3–4: increment 1, 2 or 5 (codes 1, 2, 3).</item>
/// <item>Status word B: bit 0 net, bit 1 negative, bit 2 out of range (overload when positive, underload when
/// negative), bit 3 motion, bit 4 kg (1) or lb (0), bit 6 power-up not yet zeroed.</item>
/// <item>Status word C, bits 0–2: 0 = lb/kg as bit B4 says, 1 = grams, 2 = metric tonnes (later IND terminals).
/// Other codes (ounces, custom units) are rejected as <see cref="FrameRejection.UnknownUnit"/>: a weight in an
/// unknown unit must never reach a ticket.</item>
/// <item>Six digits of displayed weight and six of tare, no sign, no decimal point.</item>
/// <item>Optional checksum: the two's complement of the low seven bits of the sum of all bytes before it,
/// STX and CR included; so the low seven bits of (sum + checksum) are zero.</item>
/// </list>
/// Bit 7 of every byte is masked off: a port opened 8N1 on a 7E1 line delivers the parity bit there.
/// </remarks>
public sealed class MettlerToledoContinuousParser : IIndicatorParser
{
    private const byte Stx = 0x02;
    private const byte Cr = 0x0D;
    private const int LengthWithoutChecksum = 17;

    /// <summary>Creates the parser.</summary>
    /// <param name="checksum">Whether the terminal is set to send the checksum byte after CR.</param>
    public MettlerToledoContinuousParser(bool checksum)
    {
        Checksum = checksum;
    }

    /// <summary>Whether frames carry the checksum byte.</summary>
    public bool Checksum { get; }

    /// <inheritdoc/>
    public FramingOptions CreateFraming() => new()
    {
        Mode = FramingMode.Delimited,
        StartByte = Stx,
        EndByte = Cr,
        TrailerLength = Checksum ? 1 : 0,
        MaxFrameLength = LengthWithoutChecksum,
    };

    /// <inheritdoc/>
    public FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample)
    {
        sample = default;
        var expected = LengthWithoutChecksum + (Checksum ? 1 : 0);
        if (frame.Length < expected)
        {
            return FrameRejection.Truncated;
        }

        if (frame.Length > expected || frame[0] != Stx || (frame[16] & 0x7F) != Cr)
        {
            return FrameRejection.Garbled;
        }

        if (Checksum)
        {
            var sum = 0;
            for (var i = 0; i < LengthWithoutChecksum; i++)
            {
                sum += frame[i];
            }

            if (((sum + frame[LengthWithoutChecksum]) & 0x7F) != 0)
            {
                return FrameRejection.ChecksumMismatch;
            }
        }

        var a = frame[1] & 0x7F;
        var b = frame[2] & 0x7F;
        var c = frame[3] & 0x7F;

        WeightUnit unit;
        switch (c & 0x07)
        {
            case 0:
                unit = (b & 0x10) != 0 ? WeightUnit.Kilogram : WeightUnit.Pound;
                break;
            case 1:
                unit = WeightUnit.Gram;
                break;
            case 2:
                unit = WeightUnit.Tonne;
                break;
            default:
                return FrameRejection.UnknownUnit;
        }

        if (!Ascii.TryParseDigits(frame.Slice(4, 6), out var weightCounts))
        {
            return FrameRejection.Garbled;
        }

        long tareCounts = 0;
        var tareField = frame.Slice(10, 6);
        if (!Ascii.Trim(tareField).IsEmpty && !Ascii.TryParseDigits(tareField, out tareCounts))
        {
            return FrameRejection.Garbled;
        }

        // Code 2 is "no decimal point": the displayed digits are the value. Lower codes add dummy zeros.
        var code = a & 0x07;
        var factor = code >= 2 ? 1m / Ascii.Pow10(code - 2) : Ascii.Pow10(2 - code);
        var increment = ((a >> 3) & 0x03) switch
        {
            1 => 1m,
            2 => 2m,
            3 => 5m,
            _ => 0m,
        };

        var negative = (b & 0x02) != 0;
        var mode = (b & 0x01) != 0 ? WeightMode.Net : WeightMode.Gross;
        var motion = (b & 0x08) != 0;
        var outOfRange = (b & 0x04) != 0;
        var notZeroed = (b & 0x40) != 0;

        var displayed = weightCounts * factor * (negative ? -1 : 1);
        var rejection = Ascii.ToKilograms(displayed, unit, out var kg);
        if (rejection != FrameRejection.None)
        {
            return rejection;
        }

        _ = Ascii.ToKilograms(tareCounts * factor, unit, out var tareKg);
        double? incrementKg = increment > 0 ? WeightUnits.ToKilograms((double)(increment * factor), unit) : null;

        var status = outOfRange
            ? (negative ? IndicatorStatus.Underload : IndicatorStatus.Overload)
            : notZeroed ? IndicatorStatus.ZeroError : IndicatorStatus.Ok;

        sample = new ScaleSample
        {
            Timestamp = timestamp,
            WeightKg = outOfRange ? null : kg,
            Motion = motion,
            Mode = mode,
            Status = status,
            TareKg = mode == WeightMode.Net || tareCounts != 0 ? tareKg : null,
            CenterOfZero = !outOfRange && mode == WeightMode.Gross && weightCounts == 0,
            IncrementKg = incrementKg,
        };
        return FrameRejection.None;
    }
}
