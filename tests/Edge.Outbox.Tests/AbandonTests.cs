using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

/// <summary>
/// Items the gateway can never send are given up: deleted and declared abandoned in one commit, under a seq of the
/// declaration's own, so the hub can close the gap instead of waiting for them for ever.
/// </summary>
public sealed class AbandonTests
{
    [Fact]
    public async Task Given_up_items_are_deleted_and_declared_under_the_next_seq_in_one_durable_commit()
    {
        var options = Options("abandon");
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 5; i++)
            {
                await outbox.AppendAsync(Item($"reading {i}"));
            }

            var result = await outbox.AbandonAsync([4, 2], "gateway 1.0 cannot decode seq 2 and 4");

            Assert.NotNull(result);
            Assert.Equal(6, result.DeclarationSeq);
            Assert.Equal([2L, 4L], result.Seqs);
            Assert.Equal(6, outbox.LastSeq);
            Assert.Equal(4, outbox.Status.PendingItems);
            Assert.Equal(7, await outbox.AppendAsync(Item("reading 7")));
        }

        // Reopened: the deletion and the declaration are both there, or neither would be.
        await using var reopened = await OpenAsync(options);
        var entries = await reopened.ReadAsync(0, 100);
        Assert.Equal([1L, 3L, 5L, 6L, 7L], entries.Select(e => e.Seq));
        Assert.True(OutboxAbandonment.TryParse(entries[3], out var declaration));
        Assert.Equal(OutboxAbandonment.ReasonCorrupt, declaration.Reason);
        Assert.Equal([new OutboxSeqRange(2, 2), new OutboxSeqRange(4, 4)], declaration.Ranges);
        Assert.Equal("gateway 1.0 cannot decode seq 2 and 4", declaration.Note);
    }

    [Fact]
    public async Task An_item_given_up_twice_or_already_acknowledged_is_declared_at_most_once()
    {
        await using var outbox = await OpenAsync(Options("abandon-twice"));
        for (var i = 1; i <= 4; i++)
        {
            await outbox.AppendAsync(Item($"reading {i}"));
        }

        await outbox.AcknowledgeAsync(1, null);
        Assert.Equal(5, (await outbox.AbandonAsync([3], "first"))?.DeclarationSeq);

        // The same entry read before it was given up, and one the hub acknowledged meanwhile: nothing left to declare.
        Assert.Null(await outbox.AbandonAsync([3], "again"));
        Assert.Null(await outbox.AbandonAsync([1], "acknowledged"));

        // Only what is still stored is named.
        var partly = await outbox.AbandonAsync([3, 4], "partly");
        Assert.Equal([4L], partly?.Seqs);

        var entries = await outbox.ReadAsync(0, 100);
        Assert.Equal([2L, 5L, 6L], entries.Select(e => e.Seq));
        Assert.Equal(6, outbox.LastSeq);
    }

    [Fact]
    public async Task Appends_committed_together_with_a_declaration_get_seqs_above_it_and_none_is_used_twice()
    {
        await using var outbox = await OpenAsync(Options("abandon-concurrent"));
        for (var i = 1; i <= 20; i++)
        {
            await outbox.AppendAsync(Item($"reading {i}"));
        }

        // Appends and declarations race into the same group commits.
        var appends = Enumerable.Range(0, 200).Select(i => outbox.AppendAsync(Item($"late {i}")).AsTask()).ToList();
        var declarations = Enumerable.Range(1, 20).Select(seq => outbox.AbandonAsync([seq], $"seq {seq}")).ToList();
        var appended = await Task.WhenAll(appends);
        var declared = (await Task.WhenAll(declarations)).Select(r => r!.DeclarationSeq).ToArray();

        var all = appended.Concat(declared).Order().ToList();
        Assert.Equal(Seqs(21, 240), all);
        Assert.Equal(240, outbox.LastSeq);
        var entries = await outbox.ReadAsync(0, 1000);
        Assert.Equal(Seqs(21, 240), entries.Select(e => e.Seq));
        Assert.Equal(declared.Order(), entries.Where(e => e.Kind == OutboxAbandonment.ItemKind).Select(e => e.Seq));
        Assert.Equal(220, outbox.Status.PendingItems);
    }

    private static List<long> Seqs(long from, long to) => [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (long)i)];
}
