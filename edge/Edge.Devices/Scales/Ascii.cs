namespace Edge.Devices.Scales;

/// <summary>Allocation-free ASCII helpers for indicator frames.</summary>
internal static class Ascii
{
    public static bool IsWhite(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0;

    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        var start = 0;
        while (start < s.Length && IsWhite(s[start]))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && IsWhite(s[end - 1]))
        {
            end--;
        }

        return s[start..end];
    }

    public static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        var end = s.Length;
        while (end > 0 && IsWhite(s[end - 1]))
        {
            end--;
        }

        return s[..end];
    }

    public static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };

    public static bool TryParseHexByte(byte high, byte low, out byte value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (byte)((h << 4) | l);
        return h >= 0 && l >= 0;
    }

    public static byte Xor(ReadOnlySpan<byte> s)
    {
        byte x = 0;
        foreach (var b in s)
        {
            x ^= b;
        }

        return x;
    }

    /// <summary>
    /// Parses an unsigned run of digits where leading blanks stand for suppressed zeros (some indicators blank them).
    /// The parity bit is masked off, as ports set to 8N1 deliver 7E1 characters with it.
    /// </summary>
    public static bool TryParseDigits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var seenDigit = false;
        foreach (var raw in s)
        {
            var b = (byte)(raw & 0x7F);
            if (b == ' ' && !seenDigit)
            {
                continue;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            seenDigit = true;
            value = (value * 10) + (b - '0');
        }

        return seenDigit;
    }

    /// <summary>
    /// Parses a decimal number as indicators print it: blanks around it, a sign that may be separated from the digits by
    /// blanks or leading zeros (<c>-  12.5</c>, <c>+000123.4</c>), at most one decimal point, no exponent.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out decimal value)
    {
        value = 0;
        s = Trim(s);
        if (s.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (s[0] is (byte)'-' or (byte)'+')
        {
            negative = s[0] == '-';
            s = Trim(s[1..]);
        }

        long mantissa = 0;
        var scale = -1;
        var digits = 0;
        foreach (var b in s)
        {
            if (b == '.')
            {
                if (scale >= 0)
                {
                    return false;
                }

                scale = 0;
                continue;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            // 18 significant digits fit a long; no indicator prints more than 8.
            if (++digits > 18)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (b - '0');
            if (scale >= 0)
            {
                scale++;
            }
        }

        if (digits == 0 || scale > 28)
        {
            return false;
        }

        value = new decimal(mantissa) / Pow10(Math.Max(scale, 0));
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>Converts a displayed value to kg and rejects weights no scale can show.</summary>
    public static FrameRejection ToKilograms(decimal value, WeightUnit unit, out double kg)
    {
        kg = WeightUnits.ToKilograms((double)value, unit);
        return Math.Abs(kg) > Contracts.ContractLimits.MaxAbsWeightKg ? FrameRejection.ImplausibleWeight : FrameRejection.None;
    }

    public static decimal Pow10(int exponent)
    {
        var p = 1m;
        for (var i = 0; i < exponent; i++)
        {
            p *= 10m;
        }

        return p;
    }
}
