using System.Collections.Concurrent;
using Edge.TestSupport;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

public sealed class CorruptionTests
{
    [Fact]
    public async Task Garbage_over_the_header_is_moved_aside_reported_and_seqs_continue_above_the_reservation()
    {
        var options = Options("corrupt-header", o => o.SeqReservationBlock = 1000);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 0; i < 50; i++)
            {
                await outbox.AppendAsync(Item($"a{i}"));
            }
        }

        var original = await File.ReadAllBytesAsync(options.DatabasePath);
        WriteGarbage(options.DatabasePath, 0, 4096);
        var damaged = await File.ReadAllBytesAsync(options.DatabasePath);

        var (events, logger, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(events);
            Assert.True(e.DetectedAtOpen);
            Assert.Null(e.LastKnownSeq);
            // The first commit reserved seqs through 1 + 1000 in the side file; the fresh database starts above.
            Assert.Equal(1002, e.NextSeq);
            Assert.StartsWith(options.DatabasePath + ".corrupt-", e.MovedTo);

            // Moved, byte for byte, never deleted.
            Assert.Equal(damaged, await File.ReadAllBytesAsync(e.MovedTo));
            Assert.NotEqual(original, damaged);
            Assert.Contains(logger.Entries, l => l.Id.Id == 15001 && l.Message.Contains(e.MovedTo));
            Assert.Equal(1, outbox2.Status.CorruptFilesMovedAside);

            // Nothing of a file without its first page can be read and its counter is gone with it, so every seq up
            // to the reservation may have held an item: all are declared possibly lost, by one declaration at 1002.
            Assert.Equal(0, e.SalvagedItems);
            Assert.Equal([new OutboxSeqRange(1, 1001)], e.Salvage.LostRanges);
            Assert.Empty(e.Salvage.UnassignedRanges);
            Assert.Equal([1002L], e.Salvage.DeclarationSeqs);
            Assert.Equal(1003, await outbox2.AppendAsync(Item("fresh")));
        }

        Assert.Equal("ok", Inspect(options.DatabasePath).Integrity);
    }

    [Fact]
    public async Task Damaged_pages_found_by_quick_check_at_open_are_moved_aside()
    {
        var options = Options("corrupt-pages", o => o.SeqReservationBlock = 10);
        await using (var outbox = await OpenAsync(options))
        {
            await AppendManyAsync(outbox, 3000, 200);
        }

        // Leave the header intact so only the B-tree check can tell.
        var length = new FileInfo(options.DatabasePath).Length;
        WriteGarbage(options.DatabasePath, length / 2, 3 * 4096);
        var (events, _, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(events);
            Assert.True(e.DetectedAtOpen);
            Assert.Contains("quick_check", e.Reason);
            Assert.True(File.Exists(e.MovedTo));
            Assert.True(await outbox2.AppendAsync(Item("fresh")) > 3000);
        }
    }

    [Fact]
    public async Task Corruption_found_while_running_is_moved_aside_and_the_pending_append_lands_in_a_fresh_database()
    {
        var options = Options("corrupt-runtime", o => o.SeqReservationBlock = 500);
        var (events, logger, outbox) = await OpenObservedAsync(options);
        await using (outbox)
        {
            await AppendManyAsync(outbox, 2000, 100);

            Assert.True(await outbox.CheckpointAsync());
            var root = RootPageOfItems(options.DatabasePath);
            WriteGarbage(options.DatabasePath, (root - 1) * 4096, 4096);
            await outbox.DropPageCacheAsync();

            var seq = await outbox.AppendAsync(Item("after damage"));
            await WaitForAsync(() => !events.IsEmpty);
            var e = Assert.Single(events);
            Assert.False(e.DetectedAtOpen);
            Assert.Equal(2000, e.LastKnownSeq);
            Assert.True(e.NextSeq > 2000);
            Assert.True(File.Exists(e.MovedTo));
            Assert.Contains(logger.Entries, l => l.Id.Id == 15001);

            // The B-tree's root is gone, so no row can be found; the writer knew its last seq exactly, so 1..2000 are
            // declared possibly lost and the rest of the reservation never assigned. The declarations come first in
            // the fresh database, the waiting append right after them.
            Assert.Equal(0, e.SalvagedItems);
            Assert.Equal([new OutboxSeqRange(1, 2000)], e.Salvage.LostRanges);
            Assert.Equal([new OutboxSeqRange(2001, e.NextSeq - 1)], e.Salvage.UnassignedRanges);
            Assert.Equal([e.NextSeq, e.NextSeq + 1], e.Salvage.DeclarationSeqs);
            Assert.Equal(e.NextSeq + 2, seq);
            Assert.Equal(seq + 1, await outbox.AppendAsync(Item("next")));
            Assert.Equal(4, outbox.Status.PendingItems);
        }

        var snapshot = Inspect(options.DatabasePath);
        Assert.Equal("ok", snapshot.Integrity);
        Assert.Equal(4, snapshot.Rows.Count);
    }

    [Fact]
    public async Task A_foreign_sqlite_file_at_the_path_is_moved_aside_not_used()
    {
        var options = Options("corrupt-foreign");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={options.DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE something_else (x INTEGER)";
            command.ExecuteNonQuery();
        }

        var (events, _, outbox) = await OpenObservedAsync(options);
        await using (outbox)
        {
            Assert.Contains("not an outbox database", Assert.Single(events).Reason);
            Assert.Equal(1, await outbox.AppendAsync(Item("a")));
        }
    }

    private static async Task<(ConcurrentQueue<OutboxCorruptionEventArgs> Events, RecordingLogger<Outbox> Logger, Outbox Outbox)> OpenObservedAsync(OutboxOptions options)
    {
        var events = new ConcurrentQueue<OutboxCorruptionEventArgs>();
        var logger = new RecordingLogger<Outbox>();
        var outbox = new Outbox(options, logger);
        outbox.CorruptDatabaseMovedAside += (_, e) => events.Enqueue(e);
        await outbox.OpenAsync();
        await WaitForAsync(() => !events.IsEmpty || !logger.Entries.Any(l => l.Id.Id == 15001));
        return (events, logger, outbox);
    }

}
