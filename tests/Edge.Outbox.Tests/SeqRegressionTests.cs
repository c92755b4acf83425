using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

/// <summary>
/// An acknowledgement naming seqs this outbox never assigned: its numbering went backwards (restored or replaced
/// storage), and the hub takes readings under reused seqs for ones it already has.
/// </summary>
public sealed class SeqRegressionTests
{
    [Fact]
    public async Task An_acknowledgement_above_the_last_seq_deletes_nothing_and_renumbers_every_item_after_the_hubs_highest()
    {
        var options = Options("regress-renumber");
        await using (var outbox = await OpenAsync(options))
        {
            foreach (var text in new[] { "a", "b", "c", "d", "e" })
            {
                await outbox.AppendAsync(Item(text));
            }

            Assert.Equal(2, await outbox.AcknowledgeAsync(2, null));

            // The hub holds seqs up to 1000 from this gateway's earlier life.
            Assert.Equal(0, await outbox.AcknowledgeAsync(1000, null));

            Assert.Equal(1003, outbox.LastSeq);
            Assert.Equal(1, outbox.Status.SeqRenumberings);
            var items = await outbox.ReadAsync(0, 10);
            Assert.Equal([1001L, 1002L, 1003L], items.Select(i => i.Seq));
            Assert.Equal(["c", "d", "e"], items.Select(Text));
            Assert.Equal(1004, await outbox.AppendAsync(Item("f")));
        }

        // Durable, with checksums that hold for the new numbers: the reopened file reads back without corruption.
        await using (var reopened = await OpenAsync(options))
        {
            Assert.Equal(1004, reopened.LastSeq);
            var items = await reopened.ReadAsync(0, 10);
            Assert.Equal([1001L, 1002L, 1003L, 1004L], items.Select(i => i.Seq));
            Assert.Equal(["c", "d", "e", "f"], items.Select(Text));
            Assert.Equal(0, reopened.Status.CorruptFilesMovedAside);

            // From here on acknowledgements work on the new numbers.
            Assert.Equal(2, await reopened.AcknowledgeAsync(1002, null));
            Assert.Equal(1005, await reopened.AppendAsync(Item("g")));
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(options.DatabasePath)!, "*corrupt*"));
    }

    [Fact]
    public async Task A_range_above_the_last_seq_renumbers_too_and_an_empty_outbox_continues_after_it()
    {
        await using var outbox = await OpenAsync(Options("regress-empty"));
        await outbox.AppendAsync(Item("a"));
        Assert.Equal(1, await outbox.AcknowledgeAsync(1, null));

        Assert.Equal(0, await outbox.AcknowledgeAsync(1, [new OutboxSeqRange(40, 70)]));

        Assert.Equal(70, outbox.LastSeq);
        Assert.Equal(71, await outbox.AppendAsync(Item("b")));
        Assert.Equal(["b"], (await outbox.ReadAsync(0, 10)).Select(Text));
    }

    [Fact]
    public async Task The_dispatcher_sends_every_renumbered_item_again_under_its_new_seq()
    {
        var time = new ManualTimeProvider();
        await using var outbox = await OpenAsync(Options("regress-dispatch"), time: time);
        var transport = new RecordingTransport();
        await using var dispatcher = new OutboxDispatcher(outbox, transport, Delivery(rate: 1000, burst: 1000), timeProvider: time);
        dispatcher.OnConnected();
        for (var i = 0; i < 3; i++)
        {
            await outbox.AppendAsync(Item($"item-{i}"));
        }

        await dispatcher.PumpOnceAsync(default);
        Assert.Equal(["1-3 live"], transport.Described);

        // The hub dropped 1-3 as readings it already had, and says so.
        Assert.Equal(0, await dispatcher.AcknowledgeAsync(500, null));
        await dispatcher.PumpOnceAsync(default);
        await outbox.AppendAsync(Item("new"));
        await dispatcher.PumpOnceAsync(default);

        Assert.Equal(["1-3 live", "501-503 replay", "504 live"], transport.Described);
        Assert.Equal(3, await dispatcher.AcknowledgeAsync(503, null));
        Assert.Equal(1, outbox.Status.PendingItems);
    }
}
