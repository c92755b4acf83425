using System.Text;
using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class MtSicsParserTests
{
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static (FrameRejection Result, ScaleSample Sample) Parse(string line, WeightMode mode = WeightMode.Gross)
    {
        var r = new MtSicsParser(mode).TryParse(Encoding.ASCII.GetBytes(line), s_now, out var s);
        return (r, s);
    }

    [Fact]
    public void Stable_reply_in_grams_is_converted_to_kilograms()
    {
        var (r, s) = Parse("S S     100.00 g");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(0.1, s.WeightKg!.Value, 9);
        Assert.False(s.Motion);
        Assert.Equal(IndicatorStatus.Ok, s.Status);
    }

    [Fact]
    public void Dynamic_reply_sets_motion()
    {
        var (r, s) = Parse("S D    1234.5 kg");

        Assert.Equal(FrameRejection.None, r);
        Assert.True(s.Motion);
        Assert.Equal(1234.5, s.WeightKg);
    }

    [Theory]
    [InlineData("S S     -12.34 kg", -12.34)]
    [InlineData("S S   -   12.34 kg", -12.34)]
    [InlineData("  S  S  12.34  kg  ", 12.34)]
    [InlineData("SI S 12.34 kg", 12.34)]
    [InlineData("S S 2.5 t", 2500)]
    [InlineData("S S 100 lb", 45.359237)]
    public void Weight_values_are_read_tolerantly(string line, double expectedKg)
    {
        var (r, s) = Parse(line);

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(expectedKg, s.WeightKg!.Value, 9);
    }

    [Fact]
    public void Not_executable_reply_is_an_indicator_error()
    {
        Assert.Equal(FrameRejection.IndicatorError, Parse("S I").Result);
    }

    [Fact]
    public void Plus_reply_is_overload()
    {
        var (r, s) = Parse("S +");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Overload, s.Status);
        Assert.Null(s.WeightKg);
    }

    [Fact]
    public void Minus_reply_is_underload()
    {
        var (r, s) = Parse("S -");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Underload, s.Status);
    }

    [Theory]
    [InlineData("ES")]
    [InlineData("ET")]
    [InlineData("EL")]
    public void General_errors_are_indicator_errors(string line)
    {
        Assert.Equal(FrameRejection.IndicatorError, Parse(line).Result);
    }

    [Fact]
    public void Acknowledgement_of_another_command_is_not_a_weight()
    {
        Assert.Equal(FrameRejection.NotAWeight, Parse("Z A").Result);
    }

    [Fact]
    public void Unknown_unit_is_rejected()
    {
        Assert.Equal(FrameRejection.UnknownUnit, Parse("S S 12.5 oz").Result);
    }

    [Theory]
    [InlineData("S S 12.A5 kg")]
    [InlineData("S S 12.5.1 kg")]
    [InlineData("S S kg")]
    [InlineData("S X 12.5 kg")]
    [InlineData("S")]
    public void Garbled_replies_are_rejected(string line)
    {
        Assert.Equal(FrameRejection.Garbled, Parse(line).Result);
    }

    [Fact]
    public void Reported_mode_labels_the_weight()
    {
        Assert.Equal(WeightMode.Net, Parse("S S 1.0 kg", WeightMode.Net).Sample.Mode);
    }
}
