using Edge.TestSupport;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

public sealed class DispatcherTests
{
    [Fact]
    public async Task Live_items_go_first_while_the_backlog_replays_in_order_at_the_configured_rate()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-lanes"), time: time);
        await AppendAsync(outbox, 12);
        var transport = new RecordingTransport();
        await using var dispatcher = new OutboxDispatcher(outbox, transport, Delivery(rate: 4, burst: 4), timeProvider: time);

        dispatcher.OnConnected();
        await AppendAsync(outbox, 3);
        var first = await dispatcher.PumpOnceAsync(default);
        Assert.True(first.Published);
        Assert.Equal(["13-15 live", "1-4 replay"], transport.Described);

        // No tokens left: nothing until a quarter second (one token at 4/s) has passed.
        var idle = await dispatcher.PumpOnceAsync(default);
        Assert.False(idle.Published);
        Assert.Equal(TimeSpan.FromMilliseconds(250), idle.WakeAfter);

        // A new live reading does not wait for the rate limit.
        await AppendAsync(outbox, 1);
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal("16 live", transport.Described[^1]);

        time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal("5-8 replay", transport.Described[^1]);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal("9-10 replay", transport.Described[^1]);
        time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal("11-12 replay", transport.Described[^1]);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.False((await dispatcher.PumpOnceAsync(default)).Published);
        var replayed = transport.Calls.Where(c => c.Replay).SelectMany(c => c.Seqs);
        Assert.Equal(Seqs(1, 12), replayed);
        Assert.Equal(Seqs(13, 16), transport.Calls.Where(c => !c.Replay).SelectMany(c => c.Seqs));
        Assert.False(dispatcher.Status.BacklogPending);
    }

    [Fact]
    public async Task Unacknowledged_items_are_resent_after_the_timeout_marked_replay()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-timeout"), time: time);
        var transport = new RecordingTransport();
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.AckTimeout = TimeSpan.FromSeconds(10);
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, timeProvider: time);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 5);
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal(["1-5 live"], transport.Described);

        Assert.Equal(2, await dispatcher.AcknowledgeAsync(2, null));
        time.Advance(TimeSpan.FromSeconds(9));
        var early = await dispatcher.PumpOnceAsync(default);
        Assert.False(early.Published);
        Assert.Equal(TimeSpan.FromSeconds(1), early.WakeAfter);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Equal("3-5 replay", transport.Described[^1]);

        Assert.Equal(3, await dispatcher.AcknowledgeAsync(5, null));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Equal(2, transport.Calls.Count);
        Assert.Equal(0, outbox.Status.PendingItems);
    }

    [Fact]
    public async Task With_no_hub_answering_timed_out_items_are_reported_in_one_line_per_timeout_not_one_per_batch()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-timeout-log"), time: time);
        var transport = new RecordingTransport();
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.AckTimeout = TimeSpan.FromSeconds(10);
        var logger = new RecordingLogger<OutboxDispatcher>();
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, logger, time);
        dispatcher.OnConnected();

        // A live batch every second for a minute, none acknowledged: about 50 batches time out.
        for (var second = 0; second < 60; second++)
        {
            await AppendAsync(outbox, 3);
            while ((await dispatcher.PumpOnceAsync(default)).Published)
            {
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        var lines = logger.Entries.Where(e => e.Id.Id == 15103).Select(e => e.Message).ToList();
        Assert.InRange(lines.Count, 5, 6);
        Assert.StartsWith("3 outbox items", lines[0], StringComparison.Ordinal);
        Assert.Contains("lowest seq 1;", lines[0], StringComparison.Ordinal);

        // Nothing is lost from the count: the lines add up to every expiry so far.
        var reported = lines.Sum(l => long.Parse(l[..l.IndexOf(' ', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(reported >= 3 * 45, $"only {reported} expiries reported");
    }

    [Fact]
    public async Task Items_acknowledged_by_range_are_not_resent_but_the_gap_below_them_is()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-ranges"), time: time);
        var transport = new RecordingTransport();
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.AckTimeout = TimeSpan.FromSeconds(5);
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, timeProvider: time);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 10);
        await dispatcher.PumpOnceAsync(default);

        // The hub lost 4 and 7 (e.g. a write that failed) but stored the rest.
        await dispatcher.AcknowledgeAsync(3, [new(5, 6), new(8, 10)]);
        time.Advance(TimeSpan.FromSeconds(5));
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal("4,7 replay", transport.Described[^1]);
    }

    [Fact]
    public async Task Failed_publish_backs_off_exponentially_and_retries_as_replay()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-backoff"), time: time);
        var transport = new RecordingTransport { FailuresToInject = 2 };
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.InitialBackoff = TimeSpan.FromSeconds(2);
        delivery.MaxBackoff = TimeSpan.FromSeconds(8);
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, timeProvider: time);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 3);

        var failed = await dispatcher.PumpOnceAsync(default);
        Assert.False(failed.Published);
        Assert.Equal(TimeSpan.FromSeconds(2), failed.WakeAfter);
        Assert.Equal("1-3 live", transport.Described[^1]);
        Assert.False((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Single(transport.Calls);

        time.Advance(TimeSpan.FromSeconds(2));
        var again = await dispatcher.PumpOnceAsync(default);
        Assert.Equal(TimeSpan.FromSeconds(4), again.WakeAfter);
        Assert.Equal("1-3 replay", transport.Described[^1]);

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Equal("1-3 replay", transport.Described[^1]);
        Assert.Equal(3, transport.Calls.Count);
        Assert.Equal(2, dispatcher.Status.PublishFailures);
    }

    [Fact]
    public async Task Reconnect_turns_everything_unacknowledged_into_backlog_while_new_items_are_live()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-reconnect"), time: time);
        var transport = new RecordingTransport();
        await using var dispatcher = new OutboxDispatcher(outbox, transport, Delivery(rate: 1000, burst: 1000), timeProvider: time);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 3);
        await dispatcher.PumpOnceAsync(default);

        dispatcher.OnDisconnected();
        await AppendAsync(outbox, 1);
        Assert.False((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Single(transport.Calls);

        dispatcher.OnConnected();
        await AppendAsync(outbox, 1);
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal(["1-3 live", "5 live", "1-4 replay"], transport.Described);
    }

    [Fact]
    public async Task Live_lane_stops_at_the_in_flight_limit_until_acknowledgements_arrive()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("disp-window"), time: time);
        var transport = new RecordingTransport();
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.MaxInFlight = 3;
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, timeProvider: time);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 5);
        await dispatcher.PumpOnceAsync(default);
        Assert.False((await dispatcher.PumpOnceAsync(default)).Published);
        await dispatcher.AcknowledgeAsync(2, null);
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal(["1-3 live", "4-5 live"], transport.Described);
    }

    [Fact]
    public async Task Running_dispatcher_delivers_new_readings_at_once_and_acknowledgement_empties_the_outbox()
    {
        await using var outbox = await OpenAsync(Options("disp-loop"));
        var transport = new RecordingTransport();
        await using var dispatcher = new OutboxDispatcher(outbox, transport, Delivery(rate: 1000, burst: 1000));
        dispatcher.Start();
        dispatcher.OnConnected();
        await AppendAsync(outbox, 50);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (transport.Calls.Sum(c => c.Seqs.Length) < 50 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(Seqs(1, 50), transport.Calls.SelectMany(c => c.Seqs));
        Assert.All(transport.Calls, c => Assert.False(c.Replay));
        Assert.Equal(50, await dispatcher.AcknowledgeAsync(50, null));
        Assert.Equal(0, outbox.Status.PendingItems);
    }

    [Fact]
    public async Task A_wall_clock_stepped_back_does_not_hold_up_resending_after_the_ack_timeout()
    {
        var clock = new SteppingClock();
        await using var outbox = await OpenAsync(Options("disp-clock-step"), time: clock);
        var transport = new RecordingTransport();
        var delivery = Delivery(rate: 1000, burst: 1000);
        delivery.AckTimeout = TimeSpan.FromSeconds(10);
        await using var dispatcher = new OutboxDispatcher(outbox, transport, delivery, timeProvider: clock);
        dispatcher.OnConnected();
        await AppendAsync(outbox, 3);
        await dispatcher.PumpOnceAsync(default);
        Assert.Equal(["1-3 live"], transport.Described);

        // NTP corrects a fast clock by three hours; ten real seconds later the acknowledgement is overdue.
        clock.StepWallClock(TimeSpan.FromHours(-3));
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True((await dispatcher.PumpOnceAsync(default)).Published);
        Assert.Equal("1-3 replay", transport.Described[^1]);
    }

    /// <summary>A manual clock whose wall-clock time can step while its monotonic timestamp only moves forward.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private readonly ManualTimeProvider _inner = new();
        private TimeSpan _step;

        public override long TimestampFrequency => _inner.TimestampFrequency;

        public override long GetTimestamp() => _inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow() + _step;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _inner.CreateTimer(callback, state, dueTime, period);

        public void StepWallClock(TimeSpan step) => _step += step;

        public void Advance(TimeSpan delta) => _inner.Advance(delta);
    }

    private static long[] Seqs(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i)];

    private static async Task AppendAsync(Outbox outbox, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await outbox.AppendAsync(Item($"item-{i}"));
        }
    }
}

/// <summary>Records every publish; can fail a number of calls to exercise backoff.</summary>
internal sealed class RecordingTransport : IOutboxTransport
{
    private readonly Lock _lock = new();
    private readonly List<(long[] Seqs, bool Replay)> _calls = [];

    public int FailuresToInject { get; set; }

    public List<(long[] Seqs, bool Replay)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Each call as "first-last live|replay" (or "a,b,c" when the seqs are not contiguous).</summary>
    public List<string> Described => [.. Calls.Select(c => $"{Describe(c.Seqs)} {(c.Replay ? "replay" : "live")}")];

    private static string Describe(long[] seqs)
    {
        var contiguous = seqs.Zip(seqs.Skip(1)).All(p => p.Second == p.First + 1);
        return seqs.Length == 1 ? $"{seqs[0]}" : contiguous ? $"{seqs[0]}-{seqs[^1]}" : string.Join(',', seqs);
    }

    public Task PublishAsync(IReadOnlyList<OutboxEntry> batch, bool replay, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _calls.Add(([.. batch.Select(e => e.Seq)], replay));
            if (FailuresToInject > 0)
            {
                FailuresToInject--;
                throw new IOException("broker connection lost (injected)");
            }
        }

        return Task.CompletedTask;
    }
}
