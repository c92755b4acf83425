using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// METTLER TOLEDO Standard Interface Command Set (MT-SICS) weight replies, one per CR LF line:
/// <c>S S     123.45 kg</c> (stable), <c>S D     123.40 kg</c> (dynamic: the balance is in motion),
/// <c>S I</c> (command not executable: busy, or no stability reached in time), <c>S +</c> (overload) and
/// <c>S -</c> (underload). Replies to <c>SI</c>, <c>SIR</c>, <c>SU</c>, <c>SIU</c>, <c>SNR</c> … have the same shape;
/// some firmware echoes the command name as the identifier, so those identifiers are accepted too.
/// </summary>
/// <remarks>
/// The manuals right-align the value in a 10-character field, so the number of blanks varies; this parser splits on
/// any run of blanks and accepts a sign separated from the digits. The general errors <c>ES</c> (syntax), <c>ET</c>
/// (transmission) and <c>EL</c> (logical) and the busy reply <c>S I</c> count as
/// <see cref="FrameRejection.IndicatorError"/>; other replies (acknowledgements such as <c>Z A</c>) as
/// <see cref="FrameRejection.NotAWeight"/>.
/// MT-SICS does not say whether a tare is active on the balance: the value is net of any tare set there, and
/// <see cref="ReportedMode"/> (default gross, for scales nobody tares) says how to label it.
/// </remarks>
public sealed class MtSicsParser : IIndicatorParser
{
    /// <summary>Creates the parser.</summary>
    /// <param name="reportedMode">How to label the weights.</param>
    public MtSicsParser(WeightMode reportedMode = WeightMode.Gross)
    {
        ReportedMode = reportedMode;
    }

    /// <summary>How the weights are labelled.</summary>
    public WeightMode ReportedMode { get; }

    /// <inheritdoc/>
    public FramingOptions CreateFraming() => new() { Mode = FramingMode.Line, MaxFrameLength = 64 };

    /// <inheritdoc/>
    public FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample)
    {
        sample = default;
        var rest = Ascii.Trim(frame);
        if (rest.IsEmpty)
        {
            return FrameRejection.Garbled;
        }

        var id = NextToken(ref rest);
        if (id.SequenceEqual("ES"u8) || id.SequenceEqual("ET"u8) || id.SequenceEqual("EL"u8))
        {
            return FrameRejection.IndicatorError;
        }

        if (!IsWeightCommand(id))
        {
            return FrameRejection.NotAWeight;
        }

        var status = NextToken(ref rest);
        if (status.Length != 1)
        {
            return FrameRejection.Garbled;
        }

        switch (status[0])
        {
            case (byte)'I':
                return FrameRejection.IndicatorError;
            case (byte)'+':
            case (byte)'-':
                // Some balances append the last value; an out-of-range reply carries no usable weight either way.
                sample = new ScaleSample
                {
                    Timestamp = timestamp,
                    Mode = ReportedMode,
                    Status = status[0] == '+' ? IndicatorStatus.Overload : IndicatorStatus.Underload,
                };
                return FrameRejection.None;
            case (byte)'S':
            case (byte)'D':
                break;
            default:
                return FrameRejection.Garbled;
        }

        // What is left is "<value> <unit>", the value possibly "- 12.3": the unit is the last token.
        var lastBlank = rest.LastIndexOfAny((byte)' ', (byte)'\t');
        if (lastBlank < 0)
        {
            return FrameRejection.Garbled;
        }

        var unitSymbol = rest[(lastBlank + 1)..];
        if (!WeightUnits.TryParse(unitSymbol, out var unit))
        {
            return LooksLikeUnit(unitSymbol) ? FrameRejection.UnknownUnit : FrameRejection.Garbled;
        }

        if (!Ascii.TryParseDecimal(rest[..lastBlank], out var value))
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
            Motion = status[0] == 'D',
            Mode = ReportedMode,
            Status = IndicatorStatus.Ok,
            CenterOfZero = value == 0 && ReportedMode == WeightMode.Gross,
        };
        return FrameRejection.None;
    }

    private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOfAny((byte)' ', (byte)'\t');
        ReadOnlySpan<byte> token;
        if (end < 0)
        {
            token = rest;
            rest = default;
        }
        else
        {
            token = rest[..end];
            rest = Ascii.Trim(rest[end..]);
        }

        return token;
    }

    private static bool IsWeightCommand(ReadOnlySpan<byte> id) =>
        id.SequenceEqual("S"u8) || id.SequenceEqual("SI"u8) || id.SequenceEqual("SIR"u8) || id.SequenceEqual("SU"u8)
        || id.SequenceEqual("SIU"u8) || id.SequenceEqual("SIRU"u8) || id.SequenceEqual("SNR"u8) || id.SequenceEqual("SNRU"u8)
        || id.SequenceEqual("SR"u8) || id.SequenceEqual("SRU"u8);

    private static bool LooksLikeUnit(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!char.IsAsciiLetter((char)b) && b != '/')
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }
}
