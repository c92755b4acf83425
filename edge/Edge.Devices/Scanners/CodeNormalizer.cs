using Edge.Contracts;

namespace Edge.Devices.Scanners;

/// <summary>Validation and normalisation of barcode contents and RFID EPCs.</summary>
public static class CodeNormalizer
{
    /// <summary>The GS1 group separator (FNC1 as transmitted), which is part of GS1-128 and GS1 DataMatrix content.</summary>
    public const char GroupSeparator = '\u001D';

    /// <summary>
    /// Normalises a barcode read: blanks and control characters around it are removed (keyboard wedges and serial
    /// scanners add CR, LF or TAB suffixes); inside, only printable ASCII and the GS1 group separator are allowed.
    /// </summary>
    /// <param name="raw">The read as received.</param>
    /// <param name="code">The code when accepted.</param>
    /// <returns><see cref="ScanRejection.None"/> or why the read is not a code.</returns>
    public static ScanRejection NormalizeBarcode(ReadOnlySpan<char> raw, out string code)
    {
        code = string.Empty;
        var trimmed = TrimControl(raw);
        if (trimmed.IsEmpty)
        {
            return ScanRejection.Empty;
        }

        if (trimmed.Length > ContractLimits.MaxCodeLength)
        {
            return ScanRejection.TooLong;
        }

        foreach (var c in trimmed)
        {
            if ((c < 0x20 && c != GroupSeparator) || c > 0x7E)
            {
                return ScanRejection.InvalidCharacters;
            }
        }

        code = trimmed.ToString();
        return ScanRejection.None;
    }

    /// <summary>
    /// Normalises an RFID EPC: separators (blanks, <c>:</c>, <c>-</c>) removed, hexadecimal required, upper-cased, and the
    /// number of hex digits checked against <paramref name="allowedHexLengths"/> (or, when empty, any multiple of 4 from 8
    /// to 124: Gen2 EPCs are whole 16-bit words, at most 496 bits).
    /// </summary>
    /// <param name="raw">The read as received.</param>
    /// <param name="allowedHexLengths">Allowed numbers of hex digits, e.g. 24 for EPC-96; empty for any whole number of words.</param>
    /// <param name="code">The EPC when accepted.</param>
    /// <returns><see cref="ScanRejection.None"/> or why the read is not an EPC.</returns>
    public static ScanRejection NormalizeEpc(ReadOnlySpan<char> raw, IReadOnlyCollection<int> allowedHexLengths, out string code)
    {
        ArgumentNullException.ThrowIfNull(allowedHexLengths);
        code = string.Empty;
        var trimmed = TrimControl(raw);
        if (trimmed.IsEmpty)
        {
            return ScanRejection.Empty;
        }

        if (trimmed.Length > ContractLimits.MaxCodeLength)
        {
            return ScanRejection.TooLong;
        }

        Span<char> hex = stackalloc char[trimmed.Length];
        var n = 0;
        foreach (var c in trimmed)
        {
            if (c is ' ' or ':' or '-')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c))
            {
                return ScanRejection.NotHex;
            }

            hex[n++] = char.ToUpperInvariant(c);
        }

        var ok = allowedHexLengths.Count == 0 ? n % 4 == 0 && n is >= 8 and <= 124 : allowedHexLengths.Contains(n);
        if (!ok)
        {
            return n == 0 ? ScanRejection.Empty : ScanRejection.BadLength;
        }

        code = new string(hex[..n]);
        return ScanRejection.None;
    }

    private static ReadOnlySpan<char> TrimControl(ReadOnlySpan<char> s)
    {
        var start = 0;
        while (start < s.Length && (char.IsWhiteSpace(s[start]) || char.IsControl(s[start])))
        {
            start++;
        }

        var end = s.Length;
        while (end > start && (char.IsWhiteSpace(s[end - 1]) || char.IsControl(s[end - 1])))
        {
            end--;
        }

        return s[start..end];
    }
}
