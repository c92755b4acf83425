using System.Text;
using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class Xk3190A9ParserTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    // STX, sign, six digits, decimals, XOR of bytes 2-9 as two hex digits, ETX (per the A9 manual's format 0).
    internal static byte[] Frame(char sign, string digits6, int decimals, bool lowerHex = false)
    {
        var body = Encoding.ASCII.GetBytes($"{sign}{digits6}{decimals}");
        var x = body.Aggregate((byte)0, (a, b) => (byte)(a ^ b));
        var hex = x.ToString(lowerHex ? "x2" : "X2");
        return [0x02, .. body, .. Encoding.ASCII.GetBytes(hex), 0x03];
    }

    private static (FrameRejection, ScaleSample) Parse(byte[] frame, WeightUnit unit = WeightUnit.Kilogram)
    {
        var r = new Xk3190A9Parser(unit).TryParse(frame, s_now, out var s);
        return (r, s);
    }

    [Fact]
    public void Positive_weight_with_two_decimals_is_parsed()
    {
        var (r, s) = Parse(Frame('+', "012345", 2));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(123.45, s.WeightKg!.Value, 9);
        Assert.False(s.Motion);
        Assert.Equal(WeightMode.Gross, s.Mode);
    }

    [Fact]
    public void Negative_weight_is_parsed()
    {
        var (_, s) = Parse(Frame('-', "000150", 0));

        Assert.Equal(-150, s.WeightKg);
    }

    [Fact]
    public void Lower_case_checksum_digits_are_accepted()
    {
        Assert.Equal(FrameRejection.None, Parse(Frame('+', "000777", 1, lowerHex: true)).Item1);
    }

    [Fact]
    public void Configured_unit_is_converted()
    {
        var (_, s) = Parse(Frame('+', "002000", 0), WeightUnit.Pound);

        Assert.Equal(907.18474, s.WeightKg!.Value, 9);
    }

    [Fact]
    public void Bad_checksum_is_rejected()
    {
        var frame = Frame('+', "012345", 2);
        frame[4] = (byte)'9';

        Assert.Equal(FrameRejection.ChecksumMismatch, Parse(frame).Item1);
    }

    [Fact]
    public void Decimal_count_above_four_is_garbled()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(Frame('+', "012345", 5)).Item1);
    }

    [Fact]
    public void Sign_other_than_plus_or_minus_is_garbled()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(Frame(' ', "012345", 2)).Item1);
    }

    [Fact]
    public void Overload_display_letters_are_garbled_not_guessed()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(Frame('+', "  OFL ", 0)).Item1);
    }

    [Fact]
    public void Short_frame_is_truncated()
    {
        Assert.Equal(FrameRejection.Truncated, Parse(Frame('+', "012345", 2)[..9]).Item1);
    }
}

public class Xk3190A12ParserTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    internal static string WithChecksum(string body)
    {
        var x = Encoding.ASCII.GetBytes(body).Aggregate((byte)0, (a, b) => (byte)(a ^ b));
        return body + x.ToString("X2");
    }

    private static (FrameRejection, ScaleSample) Parse(string line, bool requireChecksum = true)
    {
        var r = new Xk3190A12Parser(requireChecksum).TryParse(Encoding.ASCII.GetBytes(line), s_now, out var s);
        return (r, s);
    }

    [Fact]
    public void Manual_example_frame_is_parsed()
    {
        // The A12(E) manual's example for 4.139 kg: 57 47 30 30 34 2E 31 33 39 6B 67 33 44 (then CR LF, stripped by framing).
        var (r, s) = Parse("WG004.139kg3D");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(4.139, s.WeightKg!.Value, 9);
        Assert.Equal(WeightMode.Gross, s.Mode);
        Assert.False(s.Motion);
    }

    [Fact]
    public void Net_weight_is_parsed()
    {
        var (r, s) = Parse(WithChecksum("WN012.500kg"));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(WeightMode.Net, s.Mode);
        Assert.Equal(12.5, s.WeightKg);
    }

    [Fact]
    public void Negative_weight_is_parsed()
    {
        Assert.Equal(-4.139, Parse(WithChecksum("WG-04.139kg")).Item2.WeightKg!.Value, 9);
    }

    [Fact]
    public void Integer_display_with_blank_decimal_position_is_parsed()
    {
        Assert.Equal(41390, Parse(WithChecksum("WG041390 kg")).Item2.WeightKg);
    }

    [Fact]
    public void Overload_frame_from_the_manual_is_overload()
    {
        var (r, s) = Parse("         OL23");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Overload, s.Status);
        Assert.Null(s.WeightKg);
    }

    [Fact]
    public void Underload_frame_is_underload()
    {
        var (r, s) = Parse("         LO23");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Underload, s.Status);
    }

    [Fact]
    public void Bad_checksum_is_rejected()
    {
        Assert.Equal(FrameRejection.ChecksumMismatch, Parse("WG004.139kg3E").Item1);
    }

    [Fact]
    public void Missing_checksum_is_rejected_when_required()
    {
        Assert.Equal(FrameRejection.ChecksumMismatch, Parse("WG004.139kg").Item1);
    }

    [Fact]
    public void Clone_ww_frame_without_checksum_is_parsed_when_allowed()
    {
        var (r, s) = Parse("ww0015.000kg", requireChecksum: false);

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(15.0, s.WeightKg);
        Assert.Equal(WeightMode.Gross, s.Mode);
    }

    [Fact]
    public void Clone_wn_negative_net_frame_is_parsed()
    {
        var (_, s) = Parse("wn-0015.000kg", requireChecksum: false);

        Assert.Equal(-15.0, s.WeightKg);
        Assert.Equal(WeightMode.Net, s.Mode);
    }

    [Fact]
    public void Pound_frames_are_converted()
    {
        Assert.Equal(45.359237, Parse(WithChecksum("WG0100.0lb")).Item2.WeightKg!.Value, 9);
    }

    [Fact]
    public void Unknown_unit_is_rejected()
    {
        Assert.Equal(FrameRejection.UnknownUnit, Parse(WithChecksum("WG0100.0oz")).Item1);
    }

    [Fact]
    public void Garbled_weight_is_rejected()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(WithChecksum("WG00x.139kg")).Item1);
    }

    [Fact]
    public void Unknown_mode_letter_is_rejected()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(WithChecksum("WX004.139kg")).Item1);
    }
}
