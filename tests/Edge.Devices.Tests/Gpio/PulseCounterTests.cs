using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edge.Devices.Gpio;
using Edge.Devices.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Gpio;

public class PulseCounterTests
{
    private const long Ms = 1_000_000;

    private static PulseCounterOptions Options(bool both = true, double debounceMs = 5) => new()
    {
        DeviceId = "eye1",
        Line = 17,
        WatchBothEdges = both,
        Debounce = TimeSpan.FromMilliseconds(debounceMs),
    };

    private static PulseEdge Rise(double ms) => new(EdgeKind.Rising, (long)(ms * Ms));

    private static PulseEdge Fall(double ms) => new(EdgeKind.Falling, (long)(ms * Ms));

    [Fact]
    public void Clean_pulses_are_counted_on_the_rising_edge()
    {
        var c = new PulseCounter(Options(), null);
        for (var i = 0; i < 10; i++)
        {
            c.OnEdge(Rise(i * 100));
            c.OnEdge(Fall((i * 100) + 50));
        }

        Assert.Equal(10UL, c.Total);
        Assert.Equal(0, c.SuspectedMissedEdges);
    }

    [Fact]
    public void Contact_bounce_within_the_debounce_interval_is_ignored()
    {
        var c = new PulseCounter(Options(), null);

        // A bouncy press: rise, then chatter within 3 ms; a bouncy release 50 ms later.
        c.OnEdge(Rise(0));
        c.OnEdge(Fall(0.8));
        c.OnEdge(Rise(1.5));
        c.OnEdge(Fall(2.1));
        c.OnEdge(Rise(3.0));
        c.OnEdge(Fall(50));
        c.OnEdge(Rise(50.5));
        c.OnEdge(Fall(51));

        Assert.Equal(1UL, c.Total);
        Assert.Equal(6, c.DebouncedEdges);
        Assert.Equal(0, c.SuspectedMissedEdges);
    }

    [Fact]
    public void Debounce_uses_kernel_timestamps_not_arrival_order_gaps()
    {
        // Edges read late in one burst but stamped 20 ms apart by the kernel are real pulses.
        var c = new PulseCounter(Options(both: false), null);
        c.OnEdge(Rise(0));
        c.OnEdge(Rise(20));
        c.OnEdge(Rise(40));

        Assert.Equal(3UL, c.Total);
    }

    [Fact]
    public void Two_accepted_rising_edges_in_a_row_are_a_suspected_miss()
    {
        var c = new PulseCounter(Options(), null);
        c.OnEdge(Rise(0));
        c.OnEdge(Rise(100));
        c.OnEdge(Fall(150));
        c.OnEdge(Fall(250));

        Assert.Equal(2UL, c.Total);
        Assert.Equal(2, c.SuspectedMissedEdges);
    }

    [Fact]
    public void Timestamp_going_backwards_is_a_suspected_miss()
    {
        var c = new PulseCounter(Options(both: false), null);
        c.OnEdge(Rise(100));
        c.OnEdge(Rise(50));

        Assert.Equal(1, c.SuspectedMissedEdges);
        Assert.Equal(1UL, c.Total);
    }

    [Fact]
    public void Counting_resumes_from_the_stored_state()
    {
        var c = new PulseCounter(Options(), new PulseCountState(1000, 2));
        c.OnEdge(Rise(0));

        var r = c.TakeRecord(DateTimeOffset.UnixEpoch);

        Assert.Equal(new PulseCountRecord("eye1", DateTimeOffset.UnixEpoch, 1001, 1, 2), r);
    }

    [Fact]
    public void Delta_counts_from_the_last_stored_total_so_a_failed_store_is_retried_whole()
    {
        var c = new PulseCounter(Options(both: false), null);
        c.OnEdge(Rise(0));
        c.OnEdge(Rise(10));
        var first = c.TakeRecord(DateTimeOffset.UnixEpoch);

        // The store failed: nothing is marked, and the next record carries these pulses too.
        c.OnEdge(Rise(20));
        var second = c.TakeRecord(DateTimeOffset.UnixEpoch);
        Assert.Equal((2UL, 2UL), (first.Total, first.Delta));
        Assert.Equal((3UL, 3UL), (second.Total, second.Delta));

        c.MarkStored(second.Total);
        Assert.Equal(0UL, c.TakeRecord(DateTimeOffset.UnixEpoch).Delta);
    }

    [Fact]
    public void Record_becomes_a_64_bit_counter_reading()
    {
        var reading = new PulseCountRecord("eye1", DateTimeOffset.UnixEpoch, 5, 2, 1).ToReading(9);

        Assert.Equal((9L, "eye1", 5UL, 2UL, 1L, 64), (reading.Seq, reading.Device, reading.Raw, reading.Delta, reading.Epoch, reading.Width));
    }
}

public class PulseCounterDriverTests
{
    private const long Ms = 1_000_000;
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryPulseStore _store = new();

    private PulseCounterDriver Driver() => new(
        new PulseCounterOptions { DeviceId = "eye1", Line = 4, FlushInterval = TimeSpan.FromSeconds(1), Heartbeat = TimeSpan.FromSeconds(60) },
        _store,
        _time,
        NullLogger.Instance);

    private static async IAsyncEnumerable<PulseEdge> Read(ChannelReader<PulseEdge> reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in reader.ReadAllAsync(cancellationToken))
        {
            yield return e;
        }
    }

    private static void Pulses(ChannelWriter<PulseEdge> w, long startMs, int count)
    {
        for (var i = 0; i < count; i++)
        {
            w.TryWrite(new PulseEdge(EdgeKind.Rising, (startMs + (i * 100)) * Ms));
            w.TryWrite(new PulseEdge(EdgeKind.Falling, (startMs + (i * 100) + 50) * Ms));
        }
    }

    [Fact]
    public async Task Counts_survive_a_restart_with_no_loss_and_no_double_count()
    {
        // First run: 7 pulses, a periodic flush, 3 more pulses, then a graceful stop.
        var edges = Channel.CreateUnbounded<PulseEdge>();
        using (var driver = Driver())
        {
            await driver.InitializeAsync(CancellationToken.None);
            using var cts = new CancellationTokenSource();
            var run = driver.RunAsync(ct => Read(edges.Reader, ct), cts.Token);
            Pulses(edges.Writer, 0, 7);
            await Wait.UntilAsync(() => driver.Counter.Total == 7, "7 pulses");
            _time.Advance(TimeSpan.FromSeconds(1));
            await Wait.UntilAsync(() => _store.Records.Count == 1, "periodic flush");
            Pulses(edges.Writer, 1000, 3);
            await Wait.UntilAsync(() => driver.Counter.Total == 10, "10 pulses");
            await cts.CancelAsync();
            await run;
        }

        Assert.Equal([(7UL, 7UL), (10UL, 3UL)], _store.Records.Select(r => (r.Total, r.Delta)));

        // Second run resumes from the last stored record.
        edges = Channel.CreateUnbounded<PulseEdge>();
        using (var driver = Driver())
        {
            await driver.InitializeAsync(CancellationToken.None);
            Assert.Equal(10UL, driver.Counter.Total);
            using var cts = new CancellationTokenSource();
            var run = driver.RunAsync(ct => Read(edges.Reader, ct), cts.Token);
            Pulses(edges.Writer, 5000, 2);
            await Wait.UntilAsync(() => driver.Counter.Total == 12, "2 more pulses");
            await cts.CancelAsync();
            await run;
        }

        // Every pulse is in exactly one stored delta.
        Assert.Equal(12UL, _store.Records.Aggregate(0UL, (sum, r) => sum + r.Delta));
        Assert.Equal(12UL, _store.Records[^1].Total);
    }

    [Fact]
    public async Task Failed_store_keeps_the_pulses_for_the_next_flush()
    {
        using var driver = Driver();
        await driver.InitializeAsync(CancellationToken.None);
        driver.Counter.OnEdge(new PulseEdge(EdgeKind.Rising, 0));
        driver.Counter.OnEdge(new PulseEdge(EdgeKind.Falling, 50 * Ms));

        _store.Fault = new IOException("disk full");
        Assert.False(await driver.FlushAsync(force: false, CancellationToken.None));
        Assert.Equal(1, driver.Health.GetSnapshot().ErrorCount);

        driver.Counter.OnEdge(new PulseEdge(EdgeKind.Rising, 100 * Ms));
        _store.Fault = null;
        Assert.True(await driver.FlushAsync(force: false, CancellationToken.None));

        var record = Assert.Single(_store.Records);
        Assert.Equal((2UL, 2UL), (record.Total, record.Delta));
    }

    [Fact]
    public async Task Nothing_is_stored_without_pulses_until_the_heartbeat()
    {
        using var driver = Driver();
        await driver.InitializeAsync(CancellationToken.None);

        Assert.False(await driver.FlushAsync(force: false, CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(await driver.FlushAsync(force: false, CancellationToken.None));
        Assert.Equal(0UL, Assert.Single(_store.Records).Delta);
    }

    [Fact]
    public async Task Failed_edge_source_is_reopened()
    {
        using var driver = Driver();
        await driver.InitializeAsync(CancellationToken.None);
        var opens = 0;
        var edges = Channel.CreateUnbounded<PulseEdge>();
        using var cts = new CancellationTokenSource();
        var run = driver.RunAsync(
            ct => ++opens == 1 ? Fail() : Read(edges.Reader, ct),
            cts.Token,
            new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Jitter = 0 });

        await Wait.UntilAsync(() => driver.Health.GetSnapshot().ErrorCount == 1, "failure");
        _time.Advance(TimeSpan.FromSeconds(1));
        edges.Writer.TryWrite(new PulseEdge(EdgeKind.Rising, 0));
        await Wait.UntilAsync(() => driver.Counter.Total == 1, "pulse after reopen");
        Assert.Equal(2, opens);

        await cts.CancelAsync();
        await run;

        static async IAsyncEnumerable<PulseEdge> Fail()
        {
            await Task.Yield();
            throw new IOException("line busy");
#pragma warning disable CS0162 // An iterator needs a yield to be one.
            yield break;
#pragma warning restore CS0162
        }
    }
}
