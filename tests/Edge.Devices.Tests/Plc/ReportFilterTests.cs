using Edge.Devices.Plc;

namespace Edge.Devices.Tests.Plc;

public class ReportFilterTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Analog_value_is_reported_only_after_moving_by_the_deadband()
    {
        var f = new ReportFilter(ReportRule.Deadband, 0.5, TimeSpan.FromMinutes(1));

        Assert.True(f.ShouldReport(10.0, s_t0));
        Assert.False(f.ShouldReport(10.4, s_t0.AddSeconds(1)));
        Assert.False(f.ShouldReport(9.6, s_t0.AddSeconds(2)));
        Assert.True(f.ShouldReport(10.5, s_t0.AddSeconds(3)));
    }

    [Fact]
    public void Slow_drift_is_reported_once_it_adds_up_to_the_deadband()
    {
        var f = new ReportFilter(ReportRule.Deadband, 1.0, TimeSpan.FromMinutes(1));
        f.ShouldReport(0, s_t0);
        var reported = new List<double>();
        for (var i = 1; i <= 12; i++)
        {
            if (f.ShouldReport(i * 0.3, s_t0.AddSeconds(i)))
            {
                reported.Add(Math.Round(i * 0.3, 1));
            }
        }

        Assert.Equal([1.2, 2.4, 3.6], reported);
    }

    [Fact]
    public void Unchanged_value_is_reported_at_the_heartbeat()
    {
        var f = new ReportFilter(ReportRule.Deadband, 5, TimeSpan.FromSeconds(60));
        Assert.True(f.ShouldReport(1, s_t0));

        Assert.False(f.ShouldReport(1, s_t0.AddSeconds(59)));
        Assert.True(f.ShouldReport(1, s_t0.AddSeconds(60)));
        Assert.False(f.ShouldReport(1, s_t0.AddSeconds(61)));
    }

    [Fact]
    public void State_is_reported_on_any_change()
    {
        var f = new ReportFilter(ReportRule.AnyChange, 0, TimeSpan.FromMinutes(1));

        Assert.True(f.ShouldReport(1, s_t0));
        Assert.False(f.ShouldReport(1, s_t0.AddSeconds(1)));
        Assert.True(f.ShouldReport(2, s_t0.AddSeconds(2)));
        Assert.True(f.ShouldReport(1, s_t0.AddSeconds(3)));
    }

    [Fact]
    public void Counter_is_reported_when_its_delta_is_positive()
    {
        var f = new ReportFilter(ReportRule.PositiveDelta, 0, TimeSpan.FromMinutes(1));

        Assert.True(f.ShouldReport(0, s_t0));
        Assert.False(f.ShouldReport(0, s_t0.AddSeconds(1)));
        Assert.True(f.ShouldReport(3, s_t0.AddSeconds(2)));
        Assert.True(f.ShouldReport(3, s_t0.AddSeconds(3)));
        Assert.True(f.ShouldReport(0, s_t0.AddSeconds(63)));
    }
}
