using System.Collections.Concurrent;
using Edge.TestSupport;
using Xunit.Abstractions;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

public sealed class QuotaTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Quota_alarm_is_raised_before_appends_are_refused_and_clears_once_the_hub_acknowledges()
    {
        var options = Options("quota", o =>
        {
            o.MaxBytes = 512 * 1024;
            o.WarnAtFraction = 0.5;
        });
        var events = new ConcurrentQueue<OutboxQuotaEventArgs>();
        var outbox = new Outbox(options);
        outbox.QuotaStateChanged += (_, e) => events.Enqueue(e);
        await outbox.OpenAsync();
        await using (outbox)
        {
            var accepted = new List<long>();
            OutboxFullException? refused = null;
            for (var i = 0; i < 2000 && refused is null; i++)
            {
                try
                {
                    accepted.Add(await outbox.AppendAsync(Item(2048, $"q{i}")));
                }
                catch (OutboxFullException ex)
                {
                    refused = ex;
                }

                if (refused is null && outbox.QuotaState == OutboxQuotaState.Normal)
                {
                    Assert.True(outbox.Status.UsedBytes < options.MaxBytes / 2 + 1);
                }
            }

            Assert.NotNull(refused);
            Assert.Equal(OutboxFullReason.QuotaReached, refused.Reason);
            Assert.True(refused.UsedBytes >= options.MaxBytes, $"refused at {refused.UsedBytes} bytes");
            Assert.Equal(OutboxQuotaState.Full, outbox.QuotaState);
            Assert.Equal(1, outbox.Status.RefusedAppends);

            // A second one is refused as well: the outbox never makes room by itself.
            await Assert.ThrowsAsync<OutboxFullException>(() => outbox.AppendAsync(Item(16, "again")).AsTask());

            await WaitFor(() => events.Count >= 2);
            var sequence = events.Select(e => (e.Previous, e.Current)).ToList();
            Assert.Equal((OutboxQuotaState.Normal, OutboxQuotaState.Warning), sequence[0]);
            Assert.Equal((OutboxQuotaState.Warning, OutboxQuotaState.Full), sequence[1]);
            Assert.Equal(OutboxFullReason.QuotaReached, events.ElementAt(1).FullReason);

            // Nothing accepted was lost, and the seqs are contiguous.
            Assert.Equal(Enumerable.Range(1, accepted.Count).Select(i => (long)i), accepted);
            var snapshot = Inspect(options.DatabasePath);
            Assert.Equal(accepted, snapshot.Rows.Keys);
            Assert.Equal("ok", snapshot.Integrity);

            // The hub acknowledges: freed pages are reused, the alarm clears and appends are accepted again.
            await outbox.AcknowledgeAsync(accepted[^1], null);
            Assert.Equal(OutboxQuotaState.Normal, outbox.QuotaState);
            Assert.Equal(accepted[^1] + 1, await outbox.AppendAsync(Item(2048, "after")));
            await WaitFor(() => events.Any(e => e.Current == OutboxQuotaState.Normal));
        }
    }

    [Fact]
    public async Task Item_larger_than_the_room_left_hits_the_page_limit_and_is_refused_whole_without_a_seq_gap()
    {
        var options = Options("quota-pagelimit", o => o.MaxBytes = 256 * 1024);
        await using var outbox = await OpenAsync(options);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, await outbox.AppendAsync(Item(100, $"s{i}")));
        }

        // 600 KB cannot fit below max_page_count: SQLite answers SQLITE_FULL in the middle of the transaction.
        var error = await Assert.ThrowsAsync<OutboxFullException>(() => outbox.AppendAsync(Item(600 * 1024, "huge")).AsTask());
        Assert.Equal(13, error.NativeErrorCode & 0xFF);
        Assert.Equal(OutboxFullReason.QuotaReached, error.Reason);

        Assert.Equal(6, await outbox.AppendAsync(Item(100, "s6")));
        var snapshot = Inspect(options.DatabasePath);
        Assert.Equal([1L, 2, 3, 4, 5, 6], snapshot.Rows.Keys);
        Assert.Equal("ok", snapshot.Integrity);
    }

    /// <summary>
    /// A real full file system: a 1 MiB tmpfs (we run as root). Where mounting is not permitted the same promise is
    /// checked against SQLite's page limit instead, and the test says so in its output.
    /// </summary>
    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Full_disk_refuses_appends_with_a_typed_error_keeps_every_commit_and_recovers_when_space_returns()
    {
        var root = TestDirectories.Create("diskfull");
        var mountPoint = Path.Combine(root, "fs");
        Directory.CreateDirectory(mountPoint);
        var mounted = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint);
        if (!mounted)
        {
            output.WriteLine("tmpfs mount not permitted here: simulating the full disk with SQLite's page limit (Outbox:MaxBytes).");
        }

        try
        {
            var options = new OutboxOptions
            {
                DatabasePath = Path.Combine(mountPoint, "outbox.db"),
                MaxBytes = mounted ? 1L << 30 : 768 * 1024,
                SeqReservationBlock = 1_000_000,
            };
            var filler = Path.Combine(mountPoint, "filler.bin");
            if (mounted)
            {
                await File.WriteAllBytesAsync(filler, new byte[256 * 1024]);
            }

            var events = new ConcurrentQueue<OutboxQuotaEventArgs>();
            var outbox = new Outbox(options);
            outbox.QuotaStateChanged += (_, e) => events.Enqueue(e);
            await outbox.OpenAsync();
            var accepted = new List<long>();
            OutboxFullException? refused = null;
            await using (outbox)
            {
                for (var i = 0; i < 1000 && refused is null; i++)
                {
                    try
                    {
                        accepted.Add(await outbox.AppendAsync(Item(4096, $"d{i}")));
                    }
                    catch (OutboxFullException ex)
                    {
                        refused = ex;
                    }
                }

                Assert.NotNull(refused);
                output.WriteLine($"refused after {accepted.Count} items: {refused.Reason}, code {refused.NativeErrorCode}, {refused.Message}");
                Assert.Equal(mounted ? OutboxFullReason.DiskFull : OutboxFullReason.QuotaReached, refused.Reason);
                Assert.Equal(OutboxQuotaState.Full, outbox.QuotaState);
                Assert.True(accepted.Count > 10);
                Assert.Equal(Enumerable.Range(1, accepted.Count).Select(i => (long)i), accepted);

                if (mounted)
                {
                    // Space comes back (an operator cleaned up): the next append succeeds with the next seq.
                    File.Delete(filler);
                    Assert.Equal(accepted[^1] + 1, await outbox.AppendAsync(Item(64, "after")));
                    accepted.Add(accepted[^1] + 1);
                    Assert.NotEqual(OutboxQuotaState.Full, outbox.QuotaState);
                    await WaitFor(() => events.Any(e => e.Current == OutboxQuotaState.Full && e.FullReason == OutboxFullReason.DiskFull));
                }
            }

            var snapshot = Inspect(options.DatabasePath);
            Assert.Equal("ok", snapshot.Integrity);
            Assert.Equal(accepted, snapshot.Rows.Keys);
        }
        finally
        {
            if (mounted)
            {
                Assert.True(Run("umount", "-l", mountPoint), "umount failed");
            }
        }
    }

    [Fact]
    public async Task Every_append_that_takes_the_file_past_the_warning_line_returns_with_the_alarm_raised()
    {
        // Appends far below the line skip measuring the quota; the bound they keep must never let one cross unseen.
        var options = Options("quota-line", o =>
        {
            o.MaxBytes = 2 * 1024 * 1024;
            o.WarnAtFraction = 0.5;
        });
        var warnBytes = (long)(options.MaxBytes * options.WarnAtFraction);
        var outbox = new Outbox(options);
        await outbox.OpenAsync();
        await using (outbox)
        {
            var sawWarning = false;
            for (var i = 0; i < 3000 && !sawWarning; i++)
            {
                await outbox.AppendAsync(Item(300 + (i % 7 * 100), $"l{i}"));
                var actual = MeasureOnDisk(options.DatabasePath);
                sawWarning = outbox.QuotaState != OutboxQuotaState.Normal;
                Assert.True(sawWarning || actual < warnBytes, $"append {i}: {actual} bytes in use, line {warnBytes}, alarm not raised");
            }

            Assert.True(sawWarning, "the alarm was never raised");
        }
    }

    [Fact]
    public async Task Reported_bytes_in_use_are_at_most_a_second_old_while_appends_continue()
    {
        var time = new ManualTimeProvider();
        var options = Options("quota-fresh", o => o.MaxBytes = 64L * 1024 * 1024);
        var outbox = new Outbox(options, timeProvider: time);
        await outbox.OpenAsync();
        await using (outbox)
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < 200; i++)
                {
                    await outbox.AppendAsync(Item(1000, $"f{round}-{i}"));
                }

                // Far below the warning line these appends may leave the figure behind, but not past a second.
                time.Advance(TimeSpan.FromSeconds(1.1));
                await outbox.AppendAsync(Item(10, $"tick{round}"));
                Assert.Equal(MeasureOnDisk(options.DatabasePath), outbox.Status.UsedBytes);
            }
        }
    }

    /// <summary>What the quota counts, read by a separate connection: pages in use plus the WAL file.</summary>
    private static long MeasureOnDisk(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = path, Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)command.ExecuteScalar()!;
        }

        var used = (Scalar("PRAGMA page_count") - Scalar("PRAGMA freelist_count")) * Scalar("PRAGMA page_size");
        var wal = new FileInfo(path + "-wal");
        return used + (wal.Exists ? wal.Length : 0);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
