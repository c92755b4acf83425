using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using Edge.Devices.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Plc;

public class PlcPollerTests
{
    private readonly FakeRegisterReader _reader = new();
    private readonly ManualTimeProvider _time = new();

    private PlcPoller Poller(Action<PlcDeviceOptions>? configure = null, IReadOnlyDictionary<string, CounterState>? states = null)
    {
        var options = new PlcDeviceOptions
        {
            DeviceId = "press1",
            SlaveId = 3,
            PollInterval = TimeSpan.FromSeconds(1),
            Heartbeat = TimeSpan.FromSeconds(60),
            Backoff = new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(8), Jitter = 0 },
        };
        configure?.Invoke(options);
        return new PlcPoller(options, TestMaps.Press, _reader, _time, NullLogger.Instance, states, random: () => 0.0);
    }

    private void SetBales(uint value) => _reader.Set(3, RegisterTable.Holding, 0, (ushort)(value >> 16), (ushort)value);

    private static List<PlcPointValue> Drain(PlcPoller poller)
    {
        var list = new List<PlcPointValue>();
        while (poller.Values.TryRead(out var v))
        {
            list.Add(v);
        }

        return list;
    }

    [Fact]
    public void Map_is_read_with_one_request_per_table()
    {
        var poller = Poller();

        Assert.Equal([new ReadRequest(3, RegisterTable.Discrete, 0, 1), new ReadRequest(3, RegisterTable.Holding, 0, 8)], poller.Requests);
    }

    [Fact]
    public async Task First_poll_reports_every_point_decoded()
    {
        var poller = Poller();
        SetBales(70_000);
        _reader.Set(3, RegisterTable.Holding, 2, 1, 65535, 253);
        _reader.Set(3, RegisterTable.Holding, 6, 0xE979, 0x42F6);
        _reader.Set(3, RegisterTable.Discrete, 0, 1);

        Assert.Null(await poller.PollOnceAsync(CancellationToken.None));
        var values = Drain(poller).ToDictionary(v => v.Point);

        Assert.Equal(6, values.Count);
        Assert.Equal(new CounterUpdate(70_000, 0, 0, 32, CounterStep.Baseline), values["bales"].Counter);
        Assert.Equal("run", values["state"].Label);
        Assert.Equal(65535UL, values["rejects"].Counter!.Value.Raw);
        Assert.Equal(2530, values["pressure"].Value);
        Assert.Equal("kPa", values["pressure"].Unit);
        Assert.Equal(123.456f, (float)values["weight"].Value);
        Assert.Equal("closed", values["gate"].Label);
        Assert.Equal("press1", values["bales"].ToReading(1).Device);
        Assert.Equal("bales", values["bales"].ToReading(1).Channel);
    }

    [Fact]
    public async Task Unchanged_values_are_not_reported_again_until_the_heartbeat()
    {
        var poller = Poller();
        await poller.PollOnceAsync(CancellationToken.None);
        Drain(poller);

        _time.Advance(TimeSpan.FromSeconds(30));
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Empty(Drain(poller));

        _time.Advance(TimeSpan.FromSeconds(30));
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(6, Drain(poller).Count);
    }

    [Fact]
    public async Task Analog_within_the_deadband_is_not_reported()
    {
        var poller = Poller(o => o.Deadbands["pressure"] = 50);
        _reader.Set(3, RegisterTable.Holding, 4, 100);
        await poller.PollOnceAsync(CancellationToken.None);
        Drain(poller);

        _reader.Set(3, RegisterTable.Holding, 4, 104);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Empty(Drain(poller));

        _reader.Set(3, RegisterTable.Holding, 4, 105);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(1050, Assert.Single(Drain(poller)).Value);
    }

    [Fact]
    public async Task Counter_wrap_at_65535_yields_positive_delta_in_a_reading()
    {
        var poller = Poller();
        _reader.Set(3, RegisterTable.Holding, 3, 65530);
        await poller.PollOnceAsync(CancellationToken.None);
        Drain(poller);

        _reader.Set(3, RegisterTable.Holding, 3, 4);
        await poller.PollOnceAsync(CancellationToken.None);

        var reading = Assert.IsType<CounterReading>(Assert.Single(Drain(poller)).ToReading(42));
        Assert.Equal(10UL, reading.Delta);
        Assert.Equal(0, reading.Epoch);
        Assert.Equal(16, reading.Width);
        Assert.Equal("press1", reading.Device);
        Assert.Equal("rejects", reading.Channel);
    }

    [Fact]
    public async Task Plc_restart_starts_a_new_counter_epoch()
    {
        var poller = Poller();
        SetBales(5000);
        await poller.PollOnceAsync(CancellationToken.None);
        Drain(poller);

        SetBales(0);
        await poller.PollOnceAsync(CancellationToken.None);
        var reset = Assert.Single(Drain(poller));
        Assert.Equal(new CounterUpdate(0, 0, 1, 32, CounterStep.Reset), reset.Counter);

        SetBales(3);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(new CounterUpdate(3, 3, 1, 32, CounterStep.Forward), Assert.Single(Drain(poller)).Counter);
    }

    [Fact]
    public async Task Counters_resume_from_the_stored_state()
    {
        var poller = Poller(states: new Dictionary<string, CounterState> { ["bales"] = new(100, 7) });
        SetBales(104);

        await poller.PollOnceAsync(CancellationToken.None);

        var bales = Drain(poller).Single(v => v.Point == "bales");
        Assert.Equal(new CounterUpdate(104, 4, 7, 32, CounterStep.Forward), bales.Counter);
        Assert.Equal(new CounterState(104, 7), poller.GetCounterStates()["bales"]);
    }

    [Fact]
    public async Task Failed_poll_reports_nothing_and_leaves_counters_untouched()
    {
        var poller = Poller();
        SetBales(10);
        await poller.PollOnceAsync(CancellationToken.None);
        Drain(poller);

        // The holding registers are read, then the discrete input fails: the whole poll counts as failed.
        SetBales(15);
        _reader.Fault = (_, table, _, _) => table == RegisterTable.Discrete ? new IOException("timeout") : null;
        Assert.IsType<IOException>(await poller.PollOnceAsync(CancellationToken.None));
        Assert.Empty(Drain(poller));

        _reader.Fault = null;
        SetBales(17);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(7UL, Drain(poller).Single(v => v.Point == "bales").Counter!.Value.Delta);
    }

    [Fact]
    public async Task Outage_backs_off_exponentially_and_recovers_by_itself()
    {
        var poller = Poller(o => o.Health = new DeviceHealthOptions { DownAfterConsecutiveFailures = 3 });
        _reader.Fault = (_, _, _, _) => new IOException("connection refused");
        using var cts = new CancellationTokenSource();
        var run = poller.RunAsync(cts.Token);

        await Wait.UntilAsync(() => poller.FailedPolls == 1, "first failure");

        // Backoff 1, 2, 4, 8, 8 s (jitter 0): no attempt before each delay has passed.
        foreach (var delay in new[] { 1, 2, 4, 8, 8 })
        {
            var before = poller.Polls;
            _time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(20);
            Assert.Equal(before, poller.Polls);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.UntilAsync(() => poller.Polls == before + 1, "retry after " + delay + " s");
        }

        Assert.Equal(DeviceState.Down, poller.Health.GetSnapshot().State);

        _reader.Fault = null;
        _time.Advance(TimeSpan.FromSeconds(8));
        await Wait.UntilAsync(() => poller.Health.GetSnapshot().ConsecutiveFailures == 0, "recovery");
        Assert.Equal(6, poller.FailedPolls);
        Assert.Equal(6, Drain(poller).Count);

        // Back on the normal schedule.
        var polls = poller.Polls;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => poller.Polls == polls + 1, "scheduled poll");

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Poller_survives_an_unexpected_exception_from_the_reader()
    {
        var poller = Poller();
        _reader.Fault = (_, _, _, _) => new InvalidOperationException("bug in a binding");
        using var cts = new CancellationTokenSource();
        var run = poller.RunAsync(cts.Token);

        await Wait.UntilAsync(() => poller.FailedPolls == 1, "failure");
        _reader.Fault = null;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => poller.Polls == 2 && poller.FailedPolls == 1, "next poll");
        Assert.False(run.IsCompleted);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Poll_lateness_is_measured_against_the_schedule()
    {
        var poller = Poller();
        using var cts = new CancellationTokenSource();
        var run = poller.RunAsync(cts.Token);
        await Wait.UntilAsync(() => poller.Polls == 1, "first poll");

        // Jump 1.25 s: the poll due at 1 s starts 250 ms late.
        _time.Advance(TimeSpan.FromMilliseconds(1250));
        await Wait.UntilAsync(() => poller.Polls == 2, "second poll");

        var jitter = poller.Jitter.GetSnapshot();
        Assert.Equal(2, jitter.TotalSamples);
        Assert.Equal(TimeSpan.FromMilliseconds(250), jitter.Max);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public void Deadband_for_an_unknown_entry_is_a_configuration_error()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => Poller(o => o.Deadbands["nope"] = 1));

        Assert.Contains(ex.Errors, e => e.Contains("'nope'"));
    }
}
