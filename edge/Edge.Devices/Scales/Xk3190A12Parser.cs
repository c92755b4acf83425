using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// Yaohua XK3190-A12(E) serial output, one CR LF line per reading: <c>W G 004.139 kg 3D</c> without the blanks,
/// i.e. <c>WG004.139kg3D</c>; also the check-sum-less "ww/wn" variant (<c>ww0000.000kg</c>) of clones.
/// </summary>
/// <remarks>
/// From the A12(E) manual: byte 1 <c>W</c>; byte 2 <c>G</c> (gross) or <c>N</c> (net); bytes 3–9 the displayed value
/// including its decimal point, a minus sign in byte 3 when negative and a blank in byte 9 when there is no decimal
/// point; bytes 10–11 the unit <c>kg</c>; bytes 12–13 the XOR of bytes 1–11 as two ASCII hex digits; CR LF.
/// Overload (more than Max + 9e) is sent as nine blanks, <c>OL</c> and the checksum; underload (below −20e) as nine
/// blanks, <c>LO</c> and the checksum. The format carries no motion flag.
/// Clones print <c>ww</c> (gross) or <c>wn</c> (net) and omit the checksum; a checksum is recognised by two hex
/// digits after the unit, and <see cref="RequireChecksum"/> rejects lines without one. The unit may also be
/// <c>lb</c>, <c>g</c> or <c>t</c>.
/// </remarks>
public sealed class Xk3190A12Parser : IIndicatorParser
{
    /// <summary>Creates the parser.</summary>
    /// <param name="requireChecksum">Reject lines without the two-digit checksum (true for genuine A12 indicators).</param>
    public Xk3190A12Parser(bool requireChecksum = true)
    {
        RequireChecksum = requireChecksum;
    }

    /// <summary>Whether lines without a checksum are rejected.</summary>
    public bool RequireChecksum { get; }

    /// <inheritdoc/>
    public FramingOptions CreateFraming() => new() { Mode = FramingMode.Line, MaxFrameLength = 32 };

    /// <inheritdoc/>
    public FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample)
    {
        sample = default;

        // Leading blanks are part of the overload frame and of its checksum, so only the end is trimmed.
        var body = Ascii.TrimEnd(frame);
        if (body.Length < 4)
        {
            return FrameRejection.Truncated;
        }

        var hasChecksum = Ascii.HexValue(body[^1]) >= 0 && Ascii.HexValue(body[^2]) >= 0;
        if (hasChecksum)
        {
            _ = Ascii.TryParseHexByte(body[^2], body[^1], out var sent);
            body = body[..^2];
            if (Ascii.Xor(body) != sent)
            {
                return FrameRejection.ChecksumMismatch;
            }
        }
        else if (RequireChecksum)
        {
            return FrameRejection.ChecksumMismatch;
        }

        var content = Ascii.Trim(body);
        if (content.SequenceEqual("OL"u8) || content.SequenceEqual("LO"u8))
        {
            sample = new ScaleSample
            {
                Timestamp = timestamp,
                Status = content[0] == 'O' ? IndicatorStatus.Overload : IndicatorStatus.Underload,
            };
            return FrameRejection.None;
        }

        if (content.Length < 4 || content[0] is not ((byte)'W' or (byte)'w'))
        {
            return FrameRejection.Garbled;
        }

        WeightMode mode;
        switch (content[1])
        {
            case (byte)'G' or (byte)'g' or (byte)'W' or (byte)'w':
                mode = WeightMode.Gross;
                break;
            case (byte)'N' or (byte)'n':
                mode = WeightMode.Net;
                break;
            default:
                return FrameRejection.Garbled;
        }

        var rest = content[2..];
        var unitStart = rest.Length;
        while (unitStart > 0 && char.IsAsciiLetter((char)rest[unitStart - 1]))
        {
            unitStart--;
        }

        if (unitStart == rest.Length)
        {
            return FrameRejection.Garbled;
        }

        if (!WeightUnits.TryParse(rest[unitStart..], out var unit))
        {
            return FrameRejection.UnknownUnit;
        }

        if (!Ascii.TryParseDecimal(rest[..unitStart], out var value))
        {
            return FrameRejection.Garbled;
        }

        var rejection = Ascii.ToKilograms(value, unit, out var kg);
        if (rejection != FrameRejection.None)
        {
            return rejection;
        }

        sample = new ScaleSample
        {
            Timestamp = timestamp,
            WeightKg = kg,
            Mode = mode,
            Status = IndicatorStatus.Ok,
            CenterOfZero = value == 0 && mode == WeightMode.Gross,
        };
        return FrameRejection.None;
    }
}
