using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// Yaohua XK3190-A9 (and the A9+, A23P, A26 family that share it) continuous output, 12 bytes:
/// <c>STX sign d d d d d d p X X ETX</c>.
/// </summary>
/// <remarks>
/// From the indicators' manuals ("continuous communication format 0", parameter tF = 0): byte 1 STX (02h); byte 2 the
/// sign, <c>+</c> or <c>-</c>; bytes 3–8 six digits of the displayed value, most significant first; byte 9 the number
/// of decimals counted from the right (0–4); bytes 10–11 the XOR of bytes 2–9 as two ASCII hex digits, high nibble
/// first (nibbles above 9 sent as A–F); byte 12 ETX (03h). The value is gross or net as displayed, with no flag to
/// tell which, no unit and no motion flag: unit and mode come from configuration and stability is decided at the
/// gateway only. The manuals say nothing of how overload is sent in this format; a frame whose digits are not digits
/// is rejected as garbled and counted, never guessed at (set a capacity on the scale to flag overload).
/// </remarks>
public sealed class Xk3190A9Parser : IIndicatorParser
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;
    private const int FrameLength = 12;

    /// <summary>Creates the parser.</summary>
    /// <param name="unit">The unit the indicator is calibrated in (the frame does not say).</param>
    /// <param name="reportedMode">Whether the indicator shows gross or net (the frame does not say).</param>
    public Xk3190A9Parser(WeightUnit unit = WeightUnit.Kilogram, WeightMode reportedMode = WeightMode.Gross)
    {
        Unit = unit;
        ReportedMode = reportedMode;
    }

    /// <summary>The configured unit.</summary>
    public WeightUnit Unit { get; }

    /// <summary>The configured mode.</summary>
    public WeightMode ReportedMode { get; }

    /// <inheritdoc/>
    public FramingOptions CreateFraming() => new()
    {
        Mode = FramingMode.Delimited,
        StartByte = Stx,
        EndByte = Etx,
        MaxFrameLength = FrameLength,
    };

    /// <inheritdoc/>
    public FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample)
    {
        sample = default;
        if (frame.Length < FrameLength)
        {
            return FrameRejection.Truncated;
        }

        if (frame.Length > FrameLength || frame[0] != Stx || frame[11] != Etx)
        {
            return FrameRejection.Garbled;
        }

        if (!Ascii.TryParseHexByte(frame[9], frame[10], out var sent))
        {
            return FrameRejection.Garbled;
        }

        if (Ascii.Xor(frame[1..9]) != sent)
        {
            return FrameRejection.ChecksumMismatch;
        }

        var sign = frame[1];
        var decimals = frame[8] - '0';
        if (sign is not ((byte)'+' or (byte)'-') || decimals is < 0 or > 4
            || !Ascii.TryParseDigits(frame[2..8], out var counts))
        {
            return FrameRejection.Garbled;
        }

        var value = counts / Ascii.Pow10(decimals) * (sign == '-' ? -1 : 1);
        var rejection = Ascii.ToKilograms(value, Unit, out var kg);
        if (rejection != FrameRejection.None)
        {
            return rejection;
        }

        sample = new ScaleSample
        {
            Timestamp = timestamp,
            WeightKg = kg,
            Mode = ReportedMode,
            Status = IndicatorStatus.Ok,
            CenterOfZero = counts == 0 && ReportedMode == WeightMode.Gross,
        };
        return FrameRejection.None;
    }
}
