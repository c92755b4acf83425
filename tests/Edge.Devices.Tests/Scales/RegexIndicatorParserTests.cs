using System.Text;
using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class RegexIndicatorParserTests
{
    private const string StGsPattern = @"^(?<status>ST|US|OL),(?<mode>GS|NT),(?<weight>[+-]?[ 0-9.]+)\s*(?<unit>kg|lb|g|t)$";
    private static readonly DateTimeOffset s_now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static (FrameRejection, ScaleSample) Parse(string pattern, string line, Action<RegexFormatOptions>? configure = null)
    {
        var options = new RegexFormatOptions { Pattern = pattern };
        configure?.Invoke(options);
        var r = new RegexIndicatorParser(options).TryParse(Encoding.ASCII.GetBytes(line), s_now, out var s);
        return (r, s);
    }

    [Fact]
    public void St_gs_frame_is_a_stable_gross_weight()
    {
        var (r, s) = Parse(StGsPattern, "ST,GS,+000123.4kg");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(123.4, s.WeightKg!.Value, 9);
        Assert.False(s.Motion);
        Assert.Equal(WeightMode.Gross, s.Mode);
    }

    [Fact]
    public void Us_status_is_motion_and_nt_is_net()
    {
        var (_, s) = Parse(StGsPattern, "US,NT,-000010.0kg");

        Assert.True(s.Motion);
        Assert.Equal(WeightMode.Net, s.Mode);
        Assert.Equal(-10.0, s.WeightKg);
    }

    [Fact]
    public void Ol_status_is_overload_without_weight()
    {
        var (r, s) = Parse(StGsPattern, "OL,GS,+999999.9kg");

        Assert.Equal(FrameRejection.None, r);
        Assert.Equal(IndicatorStatus.Overload, s.Status);
        Assert.Null(s.WeightKg);
    }

    [Fact]
    public void Unit_group_is_converted()
    {
        Assert.Equal(453.59237, Parse(StGsPattern, "ST,GS,+001000.0lb").Item2.WeightKg!.Value, 9);
    }

    [Fact]
    public void Frame_that_does_not_match_is_garbled()
    {
        Assert.Equal(FrameRejection.Garbled, Parse(StGsPattern, "ST,GS,+00A123.4kg").Item1);
    }

    [Fact]
    public void Stable_group_that_did_not_match_means_motion()
    {
        const string pattern = @"^(?<stable>S)?\s*(?<sign>-)?(?<weight>[0-9.]+)$";

        Assert.False(Parse(pattern, "S 12.5").Item2.Motion);
        var (_, moving) = Parse(pattern, "-12.5");
        Assert.True(moving.Motion);
        Assert.Equal(-12.5, moving.WeightKg);
    }

    [Fact]
    public void Default_unit_applies_without_unit_group()
    {
        var (_, s) = Parse(@"^(?<weight>[0-9.]+)$", "2.5", o => o.DefaultUnit = WeightUnit.Tonne);

        Assert.Equal(2500, s.WeightKg!.Value, 9);
    }

    [Fact]
    public void Tare_and_zero_groups_are_read()
    {
        var (_, s) = Parse(@"^(?<net>N)(?<weight>[0-9.]+)/(?<tare>[0-9.]+)(?<zero>Z)?$", "N0.0/250.5Z");

        Assert.Equal(WeightMode.Net, s.Mode);
        Assert.Equal(250.5, s.TareKg);
        Assert.True(s.CenterOfZero);
    }

    [Fact]
    public void Pattern_without_weight_group_is_a_configuration_error()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => new RegexIndicatorParser(new RegexFormatOptions { Pattern = "^(?<w>[0-9]+)$" }));

        Assert.Contains("Regex:Pattern", ex.Message);
    }
}
