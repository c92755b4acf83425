using Edge.Contracts;
using Edge.Devices.Gpio;
using Edge.Devices.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Gpio;

public class OutputControllerTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly FakeOutputLine _gate = new();
    private readonly FakeOutputLine _red = new();
    private int _ids;

    private OutputController Controller() => new(
        new Dictionary<string, IOutputLine> { ["gate1"] = _gate, ["red1"] = _red },
        _time,
        NullLogger.Instance);

    private Command Cmd(string device, OutputValue value, double? duration = null, TimeSpan? expiresIn = null, string? id = null) => new()
    {
        CommandId = id ?? "c" + (++_ids),
        GatewayId = "gw1",
        Device = device,
        Action = CommandAction.SetOutput,
        Value = value,
        DurationS = duration,
        IssuedAt = _time.GetUtcNow(),
        ExpiresAt = _time.GetUtcNow() + (expiresIn ?? TimeSpan.FromMinutes(1)),
    };

    [Fact]
    public async Task On_and_off_set_the_line()
    {
        await using var c = Controller();

        Assert.Equal(OutputCommandOutcome.Applied, await c.ExecuteAsync(Cmd("red1", OutputValue.On), CancellationToken.None));
        Assert.Equal(OutputCommandOutcome.Applied, await c.ExecuteAsync(Cmd("red1", OutputValue.Off), CancellationToken.None));

        Assert.Equal([true, false], _red.Writes);
        Assert.False(c.IsOn("red1"));
    }

    [Fact]
    public async Task Pulse_switches_off_after_its_duration()
    {
        await using var c = Controller();
        await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration: 2.5), CancellationToken.None);
        Assert.Equal([true], _gate.Writes);

        _time.Advance(TimeSpan.FromSeconds(2.4));
        await Task.Delay(20);
        Assert.Equal([true], _gate.Writes);

        _time.Advance(TimeSpan.FromSeconds(0.1));
        await Wait.UntilAsync(() => _gate.Writes.Count == 2, "pulse end");
        Assert.Equal([true, false], _gate.Writes);
    }

    [Fact]
    public async Task Later_on_command_cancels_a_pulse_in_progress()
    {
        await using var c = Controller();
        await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration: 1), CancellationToken.None);
        await c.ExecuteAsync(Cmd("gate1", OutputValue.On), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(20);

        Assert.Equal([true, true], _gate.Writes);
        Assert.True(c.IsOn("gate1"));
    }

    [Fact]
    public async Task New_pulse_restarts_the_pulse()
    {
        await using var c = Controller();
        await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration: 2), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration: 2), CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(20);
        Assert.Equal([true, true], _gate.Writes);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => _gate.Writes.Count == 3, "second pulse end");
    }

    [Fact]
    public async Task Expired_command_is_not_executed()
    {
        await using var c = Controller();
        var cmd = Cmd("gate1", OutputValue.On, expiresIn: TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(OutputCommandOutcome.Expired, await c.ExecuteAsync(cmd, CancellationToken.None));
        Assert.Empty(_gate.Writes);
    }

    [Fact]
    public async Task Same_command_id_runs_at_most_once()
    {
        await using var c = Controller();
        var cmd = Cmd("gate1", OutputValue.Pulse, duration: 1);

        Assert.Equal(OutputCommandOutcome.Applied, await c.ExecuteAsync(cmd, CancellationToken.None));
        Assert.Equal(OutputCommandOutcome.Duplicate, await c.ExecuteAsync(cmd, CancellationToken.None));
        Assert.Equal([true], _gate.Writes);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    [InlineData(3601.0)]
    public async Task Pulse_without_a_valid_duration_is_refused(double? duration)
    {
        await using var c = Controller();

        Assert.Equal(OutputCommandOutcome.InvalidDuration, await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration), CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_output_is_refused()
    {
        await using var c = Controller();

        Assert.Equal(OutputCommandOutcome.UnknownOutput, await c.ExecuteAsync(Cmd("siren9", OutputValue.On), CancellationToken.None));
    }

    [Fact]
    public async Task Failed_write_is_reported()
    {
        await using var c = Controller();
        _red.Fault = new IOException("EBUSY");

        Assert.Equal(OutputCommandOutcome.Failed, await c.ExecuteAsync(Cmd("red1", OutputValue.On), CancellationToken.None));
    }

    [Fact]
    public async Task Disposing_switches_a_pulsing_output_off()
    {
        var c = Controller();
        await c.ExecuteAsync(Cmd("gate1", OutputValue.Pulse, duration: 30), CancellationToken.None);

        await c.DisposeAsync();

        Assert.Equal([true, false], _gate.Writes);
        Assert.Equal(0, _time.ActiveTimers);
    }
}
