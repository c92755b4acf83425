using System.Collections.Concurrent;
using Edge.Contracts;
using Edge.Devices.Gpio;
using Edge.Gateway.Devices;
using Edge.Gateway.Pipeline;
using Edge.Gateway.State;
using Edge.Outbox;
using Edge.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>
/// Counter positions when their file cannot be written: a pulse counter's counts go into the outbox through the real
/// store, positions go to a file that fails as a full disk does (<c>/dev/full</c> answers every write with ENOSPC), and
/// the deltas the hub would sum must add up to exactly the pulses counted, across restarts.
/// </summary>
public sealed class CounterPositionTests
{
    private const string Device = "pc1";

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 5, 20, 6, 0, 0, TimeSpan.Zero));
    private long _edgeNs;

    [Fact]
    public async Task Counts_stored_while_the_position_file_is_full_are_counted_once_even_across_a_restart()
    {
        var state = TestDirectories.Create("positions-full");
        var disk = new StateDisk();
        var hub = new SortedDictionary<long, CounterReading>();

        // 1. A healthy run: 5 pulses stored, acknowledged and trimmed; the file says total 5.
        await using (var run = await Run.StartAsync(state, disk, _time))
        {
            await CountAsync(run, 5);
            await AcknowledgeEverythingAsync(run, hub);
            Assert.Equal(0, run.Outbox.Status.PendingItems);
        }

        // 2. The disk under the state directory fills up. The outbox still commits (SQLite had the room); the positions
        // do not reach the file. The counter goes on from the stored counts; the hub's acknowledgement of everything
        // trims all but the newest count, which a restart needs.
        disk.Full = true;
        await using (var run = await Run.StartAsync(state, disk, _time))
        {
            await CountAsync(run, 3);
            await CountAsync(run, 4);
            Assert.False(run.Positions.OnDisk);
            Assert.Equal(new CounterPosition(12, 0, 3), run.Positions.Get(Device, null));
            await AcknowledgeEverythingAsync(run, hub);
            Assert.Equal([3L], (await run.Outbox.ReadAsync(0, 100)).Select(e => e.Seq));

            var error = Assert.Single(run.Log.Entries, e => e.Level == LogLevel.Error);
            Assert.Equal(33012, error.Id.Id);

            // 3. Killed while the disk is still full.
        }

        // 4. Space is back; the restart reconciles from the outbox and resumes from the newest stored count.
        disk.Full = false;
        await using (var run = await Run.StartAsync(state, disk, _time))
        {
            Assert.Equal(new CounterPosition(12, 0, 3), run.Positions.Get(Device, null));
            await CountAsync(run, 2);
            await AcknowledgeEverythingAsync(run, hub);
            Assert.Equal(0, run.Outbox.Status.PendingItems);
        }

        // The hub's sum is the 14 pulses counted: each count once (the hub keeps one point per seq), none lost.
        Assert.Equal([5UL, 3UL, 4UL, 2UL], hub.Values.Select(r => r.Delta));
        Assert.Equal([5UL, 8UL, 12UL, 14UL], hub.Values.Select(r => r.Raw));
    }

    [Fact]
    public async Task While_the_position_file_is_full_acknowledgements_keep_only_the_newest_count_and_let_it_go_once_the_file_is_written()
    {
        var state = TestDirectories.Create("positions-recover");
        var disk = new StateDisk { Full = true };
        await using (var run = await Run.StartAsync(state, disk, _time))
        {
            await CountAsync(run, 7);
            await CountAsync(run, 2);
            var (through, ranges) = await run.Positions.AcknowledgeableAsync(2, null, CancellationToken.None);
            Assert.Equal((1L, (IReadOnlyList<OutboxSeqRange>?)null), (through, ranges));
            await run.Outbox.AcknowledgeAsync(through, ranges);
            Assert.Equal([2L], (await run.Outbox.ReadAsync(0, 100)).Select(e => e.Seq));

            // Space comes back: the next acknowledgement (the hub's answer to the resent count) writes the position
            // without any new reading, and lets the count go.
            disk.Full = false;
            (through, ranges) = await run.Positions.AcknowledgeableAsync(2, null, CancellationToken.None);
            Assert.Equal((2L, (IReadOnlyList<OutboxSeqRange>?)null), (through, ranges));
            Assert.True(run.Positions.OnDisk);
            Assert.Equal([33012, 33014], run.Log.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Id.Id));
            await run.Outbox.AcknowledgeAsync(through, ranges);
            Assert.Equal(0, run.Outbox.Status.PendingItems);
        }

        await using (var run = await Run.StartAsync(state, disk, _time))
        {
            Assert.Equal(0, run.Reconciled);
            Assert.Equal(new CounterPosition(9, 0, 2), run.Positions.Get(Device, null));
            await CountAsync(run, 1);
            var reading = Assert.IsType<CounterReading>(Payloads.DeserializeReading(Assert.Single(await run.Outbox.ReadAsync(0, 10)).Payload.Span));
            Assert.Equal((10UL, 1UL), (reading.Raw, reading.Delta));
        }
    }

    [Fact]
    public void An_acknowledgement_without_the_held_seqs_still_covers_everything_else_it_covered()
    {
        var (through, ranges) = CounterPositions.Except(100, [new OutboxSeqRange(120, 130)], [125, 40, 90]);
        Assert.Equal(39, through);
        Assert.Equal([new OutboxSeqRange(41, 89), new OutboxSeqRange(91, 100), new OutboxSeqRange(120, 124), new OutboxSeqRange(126, 130)], ranges);

        // Held seqs above everything acknowledged change nothing.
        Assert.Equal((100L, (IReadOnlyList<OutboxSeqRange>?)null), CounterPositions.Except(100, null, [101]));
    }

    [Fact]
    public void An_append_torn_by_a_failed_write_is_cut_off_before_the_next_record()
    {
        var path = Path.Combine(TestDirectories.Create("statefile-torn"), "records");
        var disk = new StateDisk { Full = true };
        using (var file = StateFile.Open(path, records => records, disk.Open))
        {
            Assert.Throws<IOException>(() => file.Append("1 first"));

            // What a write cut short by a full disk leaves behind: part of a record, no newline.
            File.AppendAllText(path, "2 sec");
            disk.Full = false;
            file.Append("3 third");
        }

        Assert.Equal(["3 third"], File.ReadAllLines(path));
    }

    [Fact]
    public void A_state_file_that_cannot_be_compacted_at_open_is_kept_and_appended_after_its_last_whole_record()
    {
        var directory = TestDirectories.Create("statefile-no-compaction");
        var path = Path.Combine(directory, "records");
        File.WriteAllText(path, "1 a\n2 b\n3 to");

        // Compaction writes records.tmp and renames it: here it cannot, as on a full disk.
        Directory.CreateDirectory(path + ".tmp");
        using (var file = StateFile.Open(path, records => records.Take(1)))
        {
            file.Append("4 d");
        }

        // Nothing the file held was dropped by a compaction that did not happen; the torn tail was cut off.
        Assert.Equal(["1 a", "2 b", "4 d"], File.ReadAllLines(path));
    }

    private async Task CountAsync(Run run, int pulses)
    {
        for (var i = 0; i < pulses; i++)
        {
            _edgeNs += 10_000_000;
            run.Driver.Counter.OnEdge(new PulseEdge(EdgeKind.Rising, _edgeNs));
            _edgeNs += 10_000_000;
            run.Driver.Counter.OnEdge(new PulseEdge(EdgeKind.Falling, _edgeNs));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await run.Driver.FlushAsync(force: false, CancellationToken.None), "the count was stored");
    }

    /// <summary>The hub stores everything (one point per seq) and acknowledges it; the gateway applies it as its acknowledgement loop does.</summary>
    private static async Task AcknowledgeEverythingAsync(Run run, SortedDictionary<long, CounterReading> hub)
    {
        foreach (var e in await run.Outbox.ReadAsync(0, 1000))
        {
            hub[e.Seq] = Assert.IsType<CounterReading>(Payloads.DeserializeReading(e.Payload.Span));
        }

        var (through, ranges) = await run.Positions.AcknowledgeableAsync(run.Outbox.LastSeq, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        await run.Outbox.AcknowledgeAsync(through, ranges);
    }

    /// <summary>Where the position file goes: the real file, or a device that fails every write as a full disk does.</summary>
    private sealed class StateDisk
    {
        public volatile bool Full;

        public FileStream Open(string path) => Full
            ? new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0)
            : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    /// <summary>One gateway run: the outbox, the positions (reconciled as at start) and a pulse counter on the real store.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private Run(Outbox.Outbox outbox, CounterPositions positions, PulseCounterDriver driver, RecordingLogger log, int reconciled)
        {
            Outbox = outbox;
            Positions = positions;
            Driver = driver;
            Log = log;
            Reconciled = reconciled;
        }

        public Outbox.Outbox Outbox { get; }

        public CounterPositions Positions { get; }

        public PulseCounterDriver Driver { get; }

        public RecordingLogger Log { get; }

        public int Reconciled { get; }

        public static async Task<Run> StartAsync(string state, StateDisk disk, TimeProvider time)
        {
            var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = Path.Combine(state, "outbox.db") }, null, time);
            await outbox.OpenAsync();
            var log = new RecordingLogger();
            var positions = new CounterPositions(state, log, time, disk.Open);
            var reconciled = await positions.ReconcileAsync(outbox, new HashSet<string>(StringComparer.Ordinal) { Device }, CancellationToken.None);
            var sink = new ReadingSink("gw-1", outbox, new SynchronizedClock(), time, NullLogger.Instance);
            var driver = new PulseCounterDriver(
                new PulseCounterOptions { DeviceId = Device },
                new PulseCounterDevice.OutboxPulseCountStore(sink, positions),
                time,
                NullLogger.Instance);
            await driver.InitializeAsync(CancellationToken.None);
            return new Run(outbox, positions, driver, log, reconciled);
        }

        public async ValueTask DisposeAsync()
        {
            Driver.Dispose();
            Positions.Dispose();
            await Outbox.DisposeAsync();
        }
    }

    private sealed class SynchronizedClock : IClockSyncSource
    {
        public bool IsSynchronized => true;
    }
}
