using System.Text;
using System.Text.RegularExpressions;
using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>Parses frames of a configurable ASCII format with a regular expression; see <see cref="RegexFormatOptions"/>.</summary>
/// <remarks>Unlike the fixed protocols this allocates a string per frame: indicators send at most tens of frames a second.</remarks>
public sealed class RegexIndicatorParser : IIndicatorParser
{
    private readonly RegexFormatOptions _options;
    private readonly Regex _regex;
    private readonly bool _hasStableGroup;

    /// <summary>Creates the parser.</summary>
    /// <param name="options">The format; validated here.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public RegexIndicatorParser(RegexFormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Regex"));
        _options = options;
        var regexOptions = RegexOptions.CultureInvariant | (options.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);

        // The timeout bounds a pathological pattern on a garbled frame; a timed-out frame counts as garbled.
        _regex = new Regex(options.Pattern, regexOptions, TimeSpan.FromMilliseconds(100));
        _hasStableGroup = _regex.GroupNumberFromName("stable") >= 0;
    }

    /// <inheritdoc/>
    public FramingOptions CreateFraming() => _options.Framing;

    /// <inheritdoc/>
    public FrameRejection TryParse(ReadOnlySpan<byte> frame, DateTimeOffset timestamp, out ScaleSample sample)
    {
        sample = default;
        var text = Encoding.Latin1.GetString(Ascii.Trim(frame));
        Match match;
        try
        {
            match = _regex.Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return FrameRejection.Garbled;
        }

        if (!match.Success)
        {
            return FrameRejection.Garbled;
        }

        var status = IndicatorStatus.Ok;
        var motion = Has(match, "motion");
        if (_hasStableGroup)
        {
            motion |= !Has(match, "stable");
        }

        var statusGroup = match.Groups["status"];
        if (statusGroup.Success)
        {
            var value = statusGroup.Value.Trim();
            if (Contains(_options.OverloadValues, value))
            {
                status = IndicatorStatus.Overload;
            }
            else if (Contains(_options.UnderloadValues, value))
            {
                status = IndicatorStatus.Underload;
            }
            else if (Contains(_options.MotionValues, value))
            {
                motion = true;
            }
        }

        var mode = _options.DefaultMode;
        if (Has(match, "net"))
        {
            mode = WeightMode.Net;
        }
        else if (Has(match, "gross"))
        {
            mode = WeightMode.Gross;
        }
        else if (match.Groups["mode"] is { Success: true } modeGroup)
        {
            mode = Contains(_options.NetValues, modeGroup.Value.Trim()) ? WeightMode.Net : WeightMode.Gross;
        }

        if (status != IndicatorStatus.Ok)
        {
            sample = new ScaleSample { Timestamp = timestamp, Status = status, Mode = mode, Motion = motion };
            return FrameRejection.None;
        }

        var unit = _options.DefaultUnit;
        if (match.Groups["unit"] is { Success: true, Length: > 0 } unitGroup && !WeightUnits.TryParse(unitGroup.ValueSpan.Trim(), out unit))
        {
            return FrameRejection.UnknownUnit;
        }

        var weightGroup = match.Groups["weight"];
        if (!weightGroup.Success || !TryParseNumber(weightGroup.ValueSpan, out var weight))
        {
            return FrameRejection.Garbled;
        }

        if (match.Groups["sign"] is { Success: true } signGroup && signGroup.ValueSpan.Trim().SequenceEqual("-"))
        {
            weight = -Math.Abs(weight);
        }

        var rejection = Ascii.ToKilograms(weight, unit, out var kg);
        if (rejection != FrameRejection.None)
        {
            return rejection;
        }

        double? tareKg = null;
        if (match.Groups["tare"] is { Success: true, Length: > 0 } tareGroup)
        {
            if (!TryParseNumber(tareGroup.ValueSpan, out var tare))
            {
                return FrameRejection.Garbled;
            }

            _ = Ascii.ToKilograms(tare, unit, out var t);
            tareKg = t;
        }

        sample = new ScaleSample
        {
            Timestamp = timestamp,
            WeightKg = kg,
            Motion = motion,
            Mode = mode,
            Status = IndicatorStatus.Ok,
            TareKg = tareKg,
            CenterOfZero = Has(match, "zero") || (weight == 0 && mode == WeightMode.Gross),
        };
        return FrameRejection.None;
    }

    private static bool Has(Match match, string group) => match.Groups[group] is { Success: true, Length: > 0 };

    private static bool Contains(IList<string> values, string value)
    {
        foreach (var v in values)
        {
            if (string.Equals(v, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out decimal value)
    {
        Span<byte> bytes = stackalloc byte[64];
        if (text.Length > bytes.Length)
        {
            value = 0;
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0x7F)
            {
                value = 0;
                return false;
            }

            bytes[i] = (byte)text[i];
        }

        return Ascii.TryParseDecimal(bytes[..text.Length], out value);
    }
}
