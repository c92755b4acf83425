using Edge.Contracts;
using Edge.Devices.Tests.Support;

namespace Edge.Devices.Tests.Health;

public class DeviceHealthTrackerTests
{
    private readonly ManualTimeProvider _time = new();

    private DeviceHealthTracker Tracker() => new("scale1", new DeviceHealthOptions
    {
        DegradedAfterErrors = 1,
        ErrorWindow = TimeSpan.FromMinutes(1),
        DegradedWhenStaleFor = TimeSpan.FromSeconds(30),
        DownAfterConsecutiveFailures = 3,
        DownWhenStaleFor = TimeSpan.FromMinutes(2),
    }, _time);

    [Fact]
    public void Good_reads_are_ok()
    {
        var t = Tracker();
        t.RecordSuccess();

        var s = t.GetSnapshot();
        Assert.Equal(DeviceState.Ok, s.State);
        Assert.Equal(_time.GetUtcNow(), s.LastGoodReadAt);
        Assert.Null(s.Message);
    }

    [Fact]
    public void One_error_in_the_last_minute_degrades_until_it_ages_out()
    {
        var t = Tracker();
        t.RecordSuccess();
        t.RecordFailure("checksum");
        t.RecordSuccess();

        Assert.Equal(DeviceState.Degraded, t.GetSnapshot().State);
        Assert.Contains("checksum", t.GetSnapshot().Message);

        _time.Advance(TimeSpan.FromSeconds(61));
        t.RecordSuccess();
        Assert.Equal(DeviceState.Ok, t.GetSnapshot().State);
    }

    [Fact]
    public void Consecutive_failures_make_the_device_down_and_a_success_brings_it_back()
    {
        var t = Tracker();
        t.RecordSuccess();
        t.RecordFailure("timeout");
        t.RecordFailure("timeout");
        Assert.Equal(DeviceState.Degraded, t.GetSnapshot().State);

        t.RecordFailure("timeout");
        Assert.Equal(DeviceState.Down, t.GetSnapshot().State);
        Assert.Equal(3, t.GetSnapshot().ErrorCount);

        t.RecordSuccess();
        Assert.Equal(DeviceState.Degraded, t.GetSnapshot().State);
    }

    [Fact]
    public void Staleness_degrades_then_downs_a_silent_device()
    {
        var t = Tracker();
        t.RecordSuccess();

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(DeviceState.Degraded, t.GetSnapshot().State);

        _time.Advance(TimeSpan.FromSeconds(90));
        Assert.Equal(DeviceState.Down, t.GetSnapshot().State);
    }

    [Fact]
    public void Device_that_never_answered_goes_down()
    {
        var t = Tracker();

        _time.Advance(TimeSpan.FromMinutes(3));

        var s = t.GetSnapshot();
        Assert.Equal(DeviceState.Down, s.State);
        Assert.Null(s.LastGoodReadAt);
        Assert.Contains("no good read yet", s.Message);
    }

    [Fact]
    public void Transition_is_reported_once_per_change()
    {
        var t = Tracker();
        t.RecordSuccess();

        Assert.True(t.TryGetTransition(out var first));
        Assert.Equal(DeviceState.Ok, first.State);
        Assert.False(t.TryGetTransition(out _));

        t.RecordFailure("x");
        Assert.True(t.TryGetTransition(out var degraded));
        Assert.Equal(DeviceState.Degraded, degraded.State);
        Assert.False(t.TryGetTransition(out _));
    }

    [Fact]
    public void Snapshot_becomes_a_birth_entry()
    {
        var t = Tracker();
        t.RecordFailure("boom");

        var status = t.GetSnapshot().ToDeviceStatus();

        Assert.Equal("scale1", status.Device);
        Assert.Equal(1, status.ErrorCount);
        Assert.Equal(DeviceState.Degraded, status.State);
    }

    [Fact]
    public void Invalid_thresholds_name_the_key()
    {
        var errors = new DeviceHealthOptions { DownWhenStaleFor = TimeSpan.FromSeconds(1) }.Validate("Devices:Scales:0:Health");

        Assert.Contains(errors, e => e.StartsWith("Devices:Scales:0:Health:DownWhenStaleFor", StringComparison.Ordinal));
    }
}
