using System.Collections.Concurrent;
using System.Text;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

public sealed class SequenceTests
{
    [Fact]
    public async Task Concurrent_producers_get_gap_free_monotonic_seqs_matching_their_payloads()
    {
        var options = Options("seq-concurrent");
        const int producers = 32;
        const int perProducer = 300;
        var accepted = new ConcurrentDictionary<long, string>();
        await using (var outbox = await OpenAsync(options))
        {
            var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
            {
                long previous = 0;
                for (var n = 0; n < perProducer; n++)
                {
                    var payload = $"p{p}n{n}";
                    var seq = await outbox.AppendAsync(Item(payload));
                    Assert.True(seq > previous, $"producer {p}: seq {seq} after {previous}");
                    previous = seq;
                    Assert.True(accepted.TryAdd(seq, payload), $"seq {seq} handed out twice");
                }
            }));
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(producers * perProducer, outbox.LastSeq);
            Assert.True(outbox.Status.Commits < outbox.Status.CommittedItems, "concurrent appends should share commits");
        }

        Assert.Equal(Enumerable.Range(1, producers * perProducer).Select(i => (long)i), accepted.Keys.Order());
        var snapshot = Inspect(options.DatabasePath);
        Assert.Equal("ok", snapshot.Integrity);
        Assert.Equal(producers * perProducer, snapshot.Rows.Count);
        foreach (var (seq, payload) in accepted)
        {
            Assert.Equal(payload, snapshot.PayloadText(seq));
        }
    }

    [Fact]
    public async Task Seqs_continue_after_reopen()
    {
        var options = Options("seq-reopen");
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 10; i++)
            {
                Assert.Equal(i, await outbox.AppendAsync(Item($"a{i}")));
            }
        }

        await using (var outbox = await OpenAsync(options))
        {
            Assert.Equal(10, outbox.LastSeq);
            Assert.Equal(10, outbox.Status.PendingItems);
            Assert.Equal(11, await outbox.AppendAsync(Item("b")));
        }
    }

    [Fact]
    public async Task Seqs_never_restart_after_every_item_was_acknowledged_and_deleted()
    {
        var options = Options("seq-trim");
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 25; i++)
            {
                await outbox.AppendAsync(Item($"a{i}"));
            }

            Assert.Equal(25, await outbox.AcknowledgeAsync(25, null));
            Assert.Equal(0, outbox.Status.PendingItems);
            Assert.Equal(26, await outbox.AppendAsync(Item("after-trim")));
            Assert.Equal(1, await outbox.AcknowledgeAsync(26, null));
        }

        Assert.Empty(Inspect(options.DatabasePath).Rows);
        await using (var outbox = await OpenAsync(options))
        {
            Assert.Equal(27, await outbox.AppendAsync(Item("after-reopen")));
        }
    }

    [Fact]
    public async Task Seqs_continue_above_the_side_file_reservation_when_the_database_file_is_lost()
    {
        var options = Options("seq-lost", o => o.SeqReservationBlock = 100);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 30; i++)
            {
                await outbox.AppendAsync(Item($"a{i}"));
            }
        }

        File.Delete(options.DatabasePath);
        File.Delete(options.DatabasePath + "-wal");
        await using (var outbox = await OpenAsync(options))
        {
            var seq = await outbox.AppendAsync(Item("fresh"));

            // The first commit reserved through 1 + 100; the fresh database must start above that.
            Assert.Equal(102, seq);
        }

        Assert.Contains("edge-outbox-seq v1", await File.ReadAllTextAsync(options.DatabasePath + ".seq"));
    }

    [Fact]
    public async Task A_second_opener_of_the_same_outbox_is_refused()
    {
        var options = Options("seq-lock");
        await using var first = await OpenAsync(options);
        var second = new Outbox(options);
        var error = await Assert.ThrowsAsync<OutboxStorageException>(() => second.OpenAsync());
        Assert.Contains(".lock", error.Message);
        Assert.Equal(1, await first.AppendAsync(Item("still works")));
    }

    [Fact]
    public async Task Payload_kind_device_timestamp_and_clock_flag_round_trip()
    {
        var options = Options("seq-roundtrip");
        await using var outbox = await OpenAsync(options);
        var ts = new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
        var bytes = new byte[] { 0, 1, 2, 255, 0 };
        await outbox.AppendAsync(new OutboxItem("scan", "rfid-gate-2", ts, clockSynced: false, bytes.AsMemory(1, 3)));
        var entry = Assert.Single(await outbox.ReadAsync(0, 10));
        Assert.Equal(1, entry.Seq);
        Assert.Equal("scan", entry.Kind);
        Assert.Equal("rfid-gate-2", entry.DeviceId);
        Assert.Equal(ts.UtcDateTime, entry.Timestamp.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, entry.Timestamp.Offset);
        Assert.False(entry.ClockSynced);
        Assert.Equal(new byte[] { 1, 2, 255 }, entry.Payload.ToArray());
    }

    [Fact]
    public async Task Invalid_options_name_the_exact_key()
    {
        var options = new OutboxOptions { DatabasePath = "/tmp/x.db", MaxBytes = 10, WarnAtFraction = 2 };
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => new Outbox(options));
        Assert.Contains("Outbox:MaxBytes", error.Message);
        Assert.Contains("Outbox:WarnAtFraction", error.Message);
        var delivery = new OutboxDeliveryOptions { BacklogItemsPerSecond = 0, InitialBackoff = TimeSpan.FromMinutes(2), MaxBackoff = TimeSpan.FromMinutes(1) };
        var failure = new OutboxDeliveryOptionsValidator().Validate(null, delivery);
        Assert.Contains(failure.Failures!, f => f.Contains("Outbox:Delivery:BacklogItemsPerSecond"));
        Assert.Contains(failure.Failures!, f => f.Contains("Outbox:Delivery:MaxBackoff"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Dispose_commits_queued_appends_checkpoints_and_returns_quickly()
    {
        var options = Options("shutdown");
        var outbox = await OpenAsync(options);
        var appends = Enumerable.Range(0, 5000).Select(i => outbox.AppendAsync(Item($"x{i}")).AsTask()).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await outbox.DisposeAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"dispose took {watch.Elapsed}");

        // Every append queued before dispose was committed, none failed.
        var seqs = await Task.WhenAll(appends);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), seqs.Order());
        var wal = new FileInfo(options.DatabasePath + "-wal");
        Assert.True(!wal.Exists || wal.Length == 0, "the WAL should be checkpointed away");
        var snapshot = Inspect(options.DatabasePath);
        Assert.Equal(5000, snapshot.Rows.Count);
        Assert.Equal("ok", snapshot.Integrity);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => outbox.AppendAsync(Item("late")).AsTask());
        Assert.False(File.Exists(options.DatabasePath + ".lock") && IsLocked(options.DatabasePath + ".lock"), "the lock must be released");
    }

    private static bool IsLocked(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}

public sealed class AcknowledgementTests
{
    [Fact]
    public async Task Acknowledgement_with_watermark_and_ranges_deletes_exactly_the_covered_items()
    {
        var options = Options("ack-exact");
        await using var outbox = await OpenAsync(options);
        for (var i = 1; i <= 20; i++)
        {
            await outbox.AppendAsync(Item($"a{i}"));
        }

        // Ranges may overlap the watermark and each other; none reaches above the last seq (that is a regression, see
        // SeqRegressionTests).
        var deleted = await outbox.AcknowledgeAsync(5, [new(8, 9), new(12, 12), new(15, 20), new(3, 6)]);
        Assert.Equal(5 + 1 + 2 + 1 + 6, deleted);
        var remaining = (await outbox.ReadAsync(0, 100)).Select(e => e.Seq);
        Assert.Equal([7, 10, 11, 13, 14], remaining);
        Assert.Equal(5, outbox.Status.PendingItems);
        Assert.Equal([7L, 10, 11, 13, 14], Inspect(options.DatabasePath).Rows.Keys);
    }

    [Fact]
    public async Task Repeated_or_stale_acknowledgements_delete_nothing_more()
    {
        var options = Options("ack-stale");
        await using var outbox = await OpenAsync(options);
        for (var i = 1; i <= 10; i++)
        {
            await outbox.AppendAsync(Item($"a{i}"));
        }

        Assert.Equal(4, await outbox.AcknowledgeAsync(4, null));
        Assert.Equal(0, await outbox.AcknowledgeAsync(4, null));
        Assert.Equal(0, await outbox.AcknowledgeAsync(2, [new(1, 3)]));
        Assert.Equal(6, outbox.Status.PendingItems);
        Assert.Equal(5, (await outbox.ReadAsync(0, 1)).Single().Seq);
    }

    [Fact]
    public async Task Malformed_ranges_are_rejected_before_anything_is_deleted()
    {
        var options = Options("ack-bad");
        await using var outbox = await OpenAsync(options);
        await outbox.AppendAsync(Item("a"));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.AcknowledgeAsync(0, [new(5, 3)]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => outbox.AcknowledgeAsync(-1, null));
        Assert.Equal(1, outbox.Status.PendingItems);
    }
}
