using Edge.Contracts;
using Edge.Devices;
using Edge.Gateway.Devices;
using Edge.Gateway.Pipeline;
using Edge.Outbox;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>A device keeps being read through driver failures and storage errors.</summary>
public sealed class DeviceResilienceTests
{
    [Fact]
    public async Task A_device_whose_loop_fails_restarts_after_pauses_that_double_and_shows_the_failure_in_health()
    {
        var time = new ManualTimeProvider();
        var device = new FailingDevice(time, failures: 3);
        using var stop = new CancellationTokenSource();
        var run = DeviceSupervisor.RunAsync(device, time, NullLogger.Instance, stop.Token);

        await Wait.UntilAsync(() => device.Runs == 1, "the first run", 10_000);
        Assert.Contains("driver failed: failure 1", device.Health.GetSnapshot().Message, StringComparison.Ordinal);
        foreach (var (pause, runs) in new[] { (1, 2), (2, 3), (4, 4) })
        {
            await Wait.UntilAsync(() => time.ActiveTimers == 1, "the restart pause to begin", 10_000);
            time.Advance(TimeSpan.FromSeconds(pause) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50);
            Assert.Equal(runs - 1, device.Runs);
            time.Advance(TimeSpan.FromMilliseconds(1));
            await Wait.UntilAsync(() => device.Runs == runs, $"run {runs}", 10_000);
        }

        // The fourth run works and lasts until the gateway stops.
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, device.Runs);
    }

    [Fact]
    public async Task A_reading_the_outbox_cannot_store_is_refused_not_thrown_and_accepted_once_the_lock_is_gone()
    {
        var dir = TestDirectories.Create("sink-busy");
        var path = Path.Combine(dir, "outbox.db");
        await using var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = path });
        await outbox.OpenAsync();
        var sink = new ReadingSink("gw-1", outbox, new SyncedClock(), TimeProvider.System, NullLogger.Instance);
        var reading = new CounterReading { Seq = 1, Device = "line-1", Channel = "count", Ts = DateTimeOffset.UtcNow, Raw = 5, Delta = 5, Epoch = 0, Width = 32 };

        // Another program (a sqlite3 shell) holds the write lock longer than the outbox waits for it.
        using (var other = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            other.Open();
            using (var begin = other.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }

            var refused = await sink.AcceptAsync(reading, CancellationToken.None);
            Assert.Equal(AcceptOutcome.Refused, refused.Outcome);
        }

        var accepted = await sink.AcceptAsync(reading, CancellationToken.None);
        Assert.Equal(AcceptOutcome.Accepted, accepted.Outcome);
        Assert.Single(await outbox.ReadAsync(0, 10));
    }

    [Fact]
    public async Task A_salvaged_reading_is_judged_by_when_it_was_accepted_not_by_a_clock_that_is_not_set_yet()
    {
        var accepted = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        var time = new ManualTimeProvider(accepted);
        await using var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = Path.Combine(TestDirectories.Create("sendable"), "outbox.db") }, timeProvider: time);
        await outbox.OpenAsync();
        var reading = new WeightReading { Seq = 1, Device = "scale-1", Ts = accepted, ValueKg = 14_020, Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok };
        await outbox.AppendAsync(new OutboxItem(Payloads.ReadingKind, "scale-1", accepted, true, Payloads.Serialize(reading)));
        var entry = Assert.Single(await outbox.ReadAsync(0, 10));

        // After a power cut: the clock three days behind, or not set at all.
        Assert.True(Payloads.IsSendable(entry, "gw-1", accepted.AddDays(-3)));
        Assert.True(Payloads.IsSendable(entry, "gw-1", DateTimeOffset.UnixEpoch));
        Assert.True(Payloads.IsSendable(entry, "gw-1", accepted.AddMinutes(5)));
    }

    private sealed class SyncedClock : IClockSyncSource
    {
        public bool IsSynchronized => true;
    }

    /// <summary>A driver whose loop throws on its first runs, then reads until cancelled.</summary>
    private sealed class FailingDevice(TimeProvider time, int failures) : IGatewayDevice
    {
        private int _runs;

        public string Id => "flaky-1";

        public DeviceHealthTracker Health { get; } = new("flaky-1", new DeviceHealthOptions(), time);

        public int Runs => Volatile.Read(ref _runs);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var run = Interlocked.Increment(ref _runs);
            if (run <= failures)
            {
                throw new InvalidOperationException($"failure {run}");
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
