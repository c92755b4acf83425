using System.Globalization;
using System.Text;

namespace Edge.Gateway.Tests.Support;

/// <summary>
/// Indicator frames laid out as the manuals print them, built here without Edge.Devices so that a test does not agree
/// with the parser merely because both share a mistake. Checksums are computed in this file.
/// </summary>
internal static class IndicatorFrames
{
    private const byte Stx = 0x02;
    private const byte Etx = 0x03;

    /// <summary>
    /// An MT-SICS weight reply: identifier, status (<c>S</c> stable, <c>D</c> dynamic), the value right-aligned in a
    /// 10-character field, the unit, CR LF, e.g. <c>S S      1234.5 kg</c>.
    /// </summary>
    public static string MtSicsWeight(char status, string value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"S {status} {value,10} {unit}\r\n");

    /// <summary>An MT-SICS reply without a value: <c>S +</c> overload, <c>S -</c> underload, <c>S I</c> busy.</summary>
    public static string MtSicsStatus(char status) => $"S {status}\r\n";

    /// <summary>An MT-SICS general error: <c>ES</c> syntax, <c>ET</c> transmission, <c>EL</c> logical.</summary>
    public static string MtSicsError(string code) => code + "\r\n";

    /// <summary>
    /// Yaohua XK3190-A9 continuous format 0: STX, sign, six digits, decimals counted from the right, the XOR of the eight
    /// bytes from the sign to the decimals as two upper-case hex digits, ETX.
    /// </summary>
    /// <param name="sign"><c>+</c> or <c>-</c>.</param>
    /// <param name="digits">Six characters, normally digits.</param>
    /// <param name="decimals">The decimals character, normally <c>0</c>–<c>4</c>.</param>
    /// <param name="corruptChecksum">Send a checksum that does not match (one bit flipped).</param>
    public static byte[] A9(char sign, string digits, char decimals, bool corruptChecksum = false)
    {
        if (digits.Length != 6)
        {
            throw new ArgumentException("six characters expected", nameof(digits));
        }

        var body = Encoding.ASCII.GetBytes($"{sign}{digits}{decimals}");
        var xor = XorOf(body);
        if (corruptChecksum)
        {
            xor ^= 0x01;
        }

        return [Stx, .. body, .. Hex(xor), Etx];
    }

    /// <summary>
    /// Yaohua XK3190-A12(E): <c>W</c>, <c>G</c> or <c>N</c>, the seven-character value with its decimal point, the
    /// two-character unit, the XOR of those eleven bytes as two hex digits, CR LF, e.g. <c>WG004.139kg3D</c>.
    /// </summary>
    /// <param name="mode"><c>G</c> gross or <c>N</c> net.</param>
    /// <param name="value">Seven characters as displayed (<c>004.139</c>, <c>-01.250</c>, <c>001234 </c>).</param>
    /// <param name="unit">Two characters (<c>kg</c>, or a one-letter unit padded with a blank).</param>
    /// <param name="corruptChecksum">Send a checksum that does not match (one bit flipped).</param>
    public static byte[] A12(char mode, string value, string unit, bool corruptChecksum = false)
    {
        if (value.Length != 7 || unit.Length != 2)
        {
            throw new ArgumentException("seven characters of value and two of unit expected");
        }

        return A12Line("W" + mode + value + unit, corruptChecksum);
    }

    /// <summary>A12 overload: nine blanks and <c>OL</c>, with the checksum over those eleven bytes.</summary>
    public static byte[] A12Overload() => A12Line(new string(' ', 9) + "OL", corruptChecksum: false);

    /// <summary>A12 underload: nine blanks and <c>LO</c>, with the checksum.</summary>
    public static byte[] A12Underload() => A12Line(new string(' ', 9) + "LO", corruptChecksum: false);

    /// <summary>A line as a clone without checksum prints it (<c>ww</c> gross), which a genuine A12 setup must refuse.</summary>
    public static byte[] A12WithoutChecksum(string value, string unit) => Encoding.ASCII.GetBytes("ww" + value + unit + "\r\n");

    /// <summary>A line of text ended by CR LF.</summary>
    public static byte[] Line(string text) => Encoding.ASCII.GetBytes(text + "\r\n");

    private static byte[] A12Line(string eleven, bool corruptChecksum)
    {
        var body = Encoding.ASCII.GetBytes(eleven);
        var xor = XorOf(body);
        if (corruptChecksum)
        {
            xor ^= 0x01;
        }

        return [.. body, .. Hex(xor), (byte)'\r', (byte)'\n'];
    }

    private static byte XorOf(byte[] bytes)
    {
        byte x = 0;
        foreach (var b in bytes)
        {
            x ^= b;
        }

        return x;
    }

    private static byte[] Hex(byte value) => Encoding.ASCII.GetBytes(value.ToString("X2", CultureInfo.InvariantCulture));
}
