using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class MettlerToledoContinuousParserTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    // Status word A: bit 5 always 1; bits 0-2 decimal code; bits 3-4 increment (01 = x1, 10 = x2, 11 = x5).
    internal static byte StatusA(int decimalCode, int incrementCode = 1) => (byte)(0x20 | (incrementCode << 3) | decimalCode);

    // Status word B: bit 5 always 1; bit 0 net, 1 negative, 2 out of range, 3 motion, 4 kg, 6 power-up.
    internal static byte StatusB(bool net = false, bool negative = false, bool outOfRange = false, bool motion = false, bool kg = true, bool powerUp = false) =>
        (byte)(0x20 | (net ? 1 : 0) | (negative ? 2 : 0) | (outOfRange ? 4 : 0) | (motion ? 8 : 0) | (kg ? 0x10 : 0) | (powerUp ? 0x40 : 0));

    internal static byte[] Frame(byte a, byte b, byte c, string weight6, string tare6, bool checksum = true)
    {
        var body = new List<byte> { 0x02, a, b, c };
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(weight6));
        body.AddRange(System.Text.Encoding.ASCII.GetBytes(tare6));
        body.Add(0x0D);
        if (checksum)
        {
            var sum = body.Sum(x => x);
            body.Add((byte)(-sum & 0x7F));
        }

        return [.. body];
    }

    private static (FrameRejection, ScaleSample) Parse(byte[] frame, bool checksum = true)
    {
        var r = new MettlerToledoContinuousParser(checksum).TryParse(frame, s_now, out var s);
        return (r, s);
    }

    [Fact]
    public void Stable_gross_kg_with_two_decimals_is_parsed()
    {
        var (r, s) = Parse(Frame(StatusA(4), StatusB(), 0x20, "012345", "000000"));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(123.45, s.WeightKg!.Value, 9);
        Assert.False(s.Motion);
        Assert.Equal(WeightMode.Gross, s.Mode);
        Assert.Equal(IndicatorStatus.Ok, s.Status);
        Assert.Null(s.TareKg);
        Assert.Equal(0.01, s.IncrementKg!.Value, 9);
        Assert.Equal(s_now, s.Timestamp);
    }

    [Fact]
    public void Motion_bit_sets_the_indicator_motion_flag()
    {
        var (r, s) = Parse(Frame(StatusA(2), StatusB(motion: true), 0x20, "024680", "000000"));

        Assert.Equal(FrameRejection.None, r);
        Assert.True(s.Motion);
        Assert.Equal(24680, s.WeightKg);
    }

    [Fact]
    public void Negative_net_weight_reports_tare()
    {
        var (r, s) = Parse(Frame(StatusA(3), StatusB(net: true, negative: true), 0x20, "000125", "015000"));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(-12.5, s.WeightKg);
        Assert.Equal(WeightMode.Net, s.Mode);
        Assert.Equal(1500.0, s.TareKg);
    }

    [Fact]
    public void Dummy_zero_code_multiplies_by_ten_with_increment_five()
    {
        var (r, s) = Parse(Frame(StatusA(1, incrementCode: 3), StatusB(), 0x20, "004321", "000000"));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(43210, s.WeightKg);
        Assert.Equal(50, s.IncrementKg);
    }

    [Fact]
    public void Out_of_range_positive_is_overload_without_weight()
    {
        var (r, s) = Parse(Frame(StatusA(2), StatusB(outOfRange: true), 0x20, "999999", "000000"));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Overload, s.Status);
        Assert.Null(s.WeightKg);
        Assert.False(s.HasWeight);
    }

    [Fact]
    public void Out_of_range_negative_is_underload()
    {
        var (_, s) = Parse(Frame(StatusA(2), StatusB(outOfRange: true, negative: true), 0x20, "000000", "000000"));

        Assert.Equal(IndicatorStatus.Underload, s.Status);
        Assert.Null(s.WeightKg);
    }

    [Fact]
    public void Power_up_not_zeroed_is_a_zero_error()
    {
        var (_, s) = Parse(Frame(StatusA(2), StatusB(powerUp: true), 0x20, "000000", "000000"));

        Assert.Equal(IndicatorStatus.ZeroError, s.Status);
    }

    [Fact]
    public void Gross_zero_is_centre_of_zero()
    {
        var (_, s) = Parse(Frame(StatusA(2), StatusB(), 0x20, "000000", "000000"));

        Assert.True(s.CenterOfZero);
        Assert.Equal(0, s.WeightKg);
    }

    [Fact]
    public void Pounds_are_converted_to_kilograms()
    {
        var (_, s) = Parse(Frame(StatusA(2), StatusB(kg: false), 0x20, "001000", "000000"));

        Assert.Equal(453.59237, s.WeightKg!.Value, 9);
    }

    [Fact]
    public void Grams_in_status_c_are_converted_to_kilograms()
    {
        var (_, s) = Parse(Frame(StatusA(2), StatusB(kg: false), 0x21, "012500", "000000"));

        Assert.Equal(12.5, s.WeightKg!.Value, 9);
    }

    [Fact]
    public void Tonnes_in_status_c_are_converted_to_kilograms()
    {
        var (_, s) = Parse(Frame(StatusA(4), StatusB(kg: false), 0x22, "003512", "000000"));

        Assert.Equal(35120, s.WeightKg!.Value, 6);
    }

    [Fact]
    public void Unknown_unit_code_in_status_c_is_rejected()
    {
        var (r, _) = Parse(Frame(StatusA(2), StatusB(), 0x23, "001000", "000000"));

        Assert.Equal(FrameRejection.UnknownUnit, r);
    }

    [Fact]
    public void Bad_checksum_is_rejected()
    {
        var frame = Frame(StatusA(2), StatusB(), 0x20, "001000", "000000");
        frame[^1] ^= 0x01;

        Assert.Equal(FrameRejection.ChecksumMismatch, Parse(frame).Item1);
    }

    [Fact]
    public void Flipped_digit_is_caught_by_the_checksum()
    {
        var frame = Frame(StatusA(2), StatusB(), 0x20, "001000", "000000");
        frame[6] = (byte)'9';

        Assert.Equal(FrameRejection.ChecksumMismatch, Parse(frame).Item1);
    }

    [Fact]
    public void Parity_bit_on_status_and_digits_is_ignored()
    {
        var frame = Frame(StatusA(2), StatusB(), 0x20, "001000", "000000");
        frame[1] |= 0x80;
        frame[5] |= 0x80;

        // The checksum covers the low seven bits only, so it still matches.
        var (r, s) = Parse(frame);
        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(1000, s.WeightKg);
    }

    [Fact]
    public void Frame_without_checksum_is_parsed_when_configured()
    {
        var (r, s) = Parse(Frame(StatusA(2), StatusB(), 0x20, "000500", "000000", checksum: false), checksum: false);

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(500, s.WeightKg);
    }

    [Fact]
    public void Short_frame_is_truncated()
    {
        var frame = Frame(StatusA(2), StatusB(), 0x20, "001000", "000000")[..12];

        Assert.Equal(FrameRejection.Truncated, Parse(frame).Item1);
    }

    [Fact]
    public void Letters_in_the_weight_are_garbled()
    {
        var (r, _) = Parse(Frame(StatusA(2), StatusB(), 0x20, "00A000", "000000"));

        Assert.Equal(FrameRejection.Garbled, r);
    }

    [Fact]
    public void Blank_leading_digits_count_as_zeros()
    {
        var (r, s) = Parse(Frame(StatusA(2), StatusB(), 0x20, "  1000", "      "));

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(1000, s.WeightKg);
    }
}
