using Edge.Contracts;
using Edge.Hub.Ingest;
using Edge.Hub.State;
using Edge.Hub.Tests.State;
using Xunit;

namespace Edge.Hub.Tests.Ingest;

/// <summary>The bookkeeping of abandoned seqs without a broker: ranges, the ledger's claim rule and the state store's commit.</summary>
public class AbandonmentStateTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 5, 21, 6, 0, 0, TimeSpan.Zero);
    private static readonly GatewayAddress s_gw = new("site-1", "area-1", "gw-1");

    [Fact]
    public void Settling_a_range_returns_only_what_was_not_stored_and_moves_the_watermark_past_it()
    {
        var ack = new AckState();
        foreach (var seq in new long[] { 1, 2, 3, 7, 8, 12 })
        {
            ack.Add(seq);
        }

        var fresh = ack.Settle(2, 10);

        Assert.Equal([new SeqSpan(4, 6), new SeqSpan(9, 10)], fresh);
        Assert.Equal(10, ack.StoredThrough);
        Assert.Equal([new SeqSpan(12, 12)], ack.Ranges);
        Assert.Empty(ack.Settle(1, 10));
    }

    [Fact]
    public void Settling_a_huge_range_walks_ranges_not_seqs()
    {
        var ack = new AckState();
        ack.Add(1);

        var fresh = ack.Settle(2, ContractLimits.MaxSeq - 1);

        Assert.Equal([new SeqSpan(2, ContractLimits.MaxSeq - 1)], fresh);
        Assert.Equal(ContractLimits.MaxSeq - 1, ack.StoredThrough);
    }

    [Fact]
    public void A_seq_set_splits_on_removal_and_survives_its_text_form()
    {
        var set = new SeqSet();
        set.Add(10, 20);
        set.Add(22, 25);
        set.Add(21, 21);

        Assert.True(set.Remove(15));
        Assert.False(set.Remove(15));
        Assert.True(set.Remove(10));
        Assert.True(set.Remove(25));

        Assert.Equal("11-14,16-24", set.Format());
        Assert.Equal(13, set.Count);
        var parsed = SeqSet.Parse(set.Format());
        Assert.Equal(set.Ranges, parsed.Ranges);
        Assert.True(parsed.Contains(16));
        Assert.False(parsed.Contains(15));
    }

    [Fact]
    public void The_ledger_lets_the_first_reading_of_an_abandoned_seq_through_and_no_second()
    {
        var ledger = new GatewayLedger(s_gw);
        var ack = new AckState();
        ack.Add(1);
        ack.Settle(2, 5);
        var abandoned = new SeqSet();
        abandoned.Add(2, 5);
        ledger.Restore(ack, 5, new AbandonmentState(abandoned, 4, 0, 0));

        Span<bool> fresh = stackalloc bool[3];
        Assert.Equal(2, ledger.Claim([1, 3, 3], fresh));
        Assert.Equal([false, true, false], fresh.ToArray());
    }

    [Fact]
    public void A_commit_settles_declared_seqs_once_and_stores_a_late_reading_of_one_exactly_once()
    {
        using var store = StoreFactory.Open();
        store.Commit([Readings(1, 3)], s_t0);

        var birth = Birth(new SeqAbandonment { Seq = 11, Reason = SeqAbandonment.OutboxCorrupt, Ranges = [new SeqRange { From = 2, To = 10 }], Ts = s_t0 });
        var first = Assert.Single(store.Commit([new StoreBirth(s_gw, s_t0, birth, Retained: false)], s_t0));
        Assert.True(first.NeedsAck);
        Assert.Equal(11, first.Ack.StoredThrough);
        Assert.Equal(7, first.Abandonment.Lost);
        Assert.Equal("4-10", first.Abandonment.Outstanding.Format());

        // The same birth again (retained, repeated): nothing more is abandoned, nothing recorded twice.
        var again = Assert.Single(store.Commit([new StoreBirth(s_gw, s_t0.AddSeconds(1), birth, Retained: true)], s_t0.AddSeconds(1)));
        Assert.Equal(7, again.Abandonment.Lost);
        Assert.Single(store.GetAbandonments(s_gw.GatewayId, 10));

        var late = Assert.Single(store.Commit([Readings(5, 5), Readings(5, 5)], s_t0.AddSeconds(2)));
        Assert.Equal(1, late.NewReadings);
        Assert.Equal(1, late.Duplicates);
        Assert.Equal(1, late.Abandonment.Recovered);
        Assert.Equal("4-4,6-10", late.Abandonment.Outstanding.Format());

        // All of it is in the file, as the next start loads it.
        var loaded = Assert.Single(store.LoadAckStates());
        Assert.Equal(11, loaded.Ack.StoredThrough);
        Assert.Equal((7, 0, 1, "4-4,6-10"), (loaded.Abandonment.Lost, loaded.Abandonment.Unassigned, loaded.Abandonment.Recovered, loaded.Abandonment.Outstanding.Format()));
        var recorded = Assert.Single(store.GetAbandonments(s_gw.GatewayId, 10));
        Assert.Equal((11L, "outbox-corrupt", "2-10", 9L, 7L), (recorded.Seq, recorded.Reason, recorded.Ranges, recorded.Declared, recorded.Abandoned));
    }

    private static StoreReadings Readings(long from, long to)
    {
        var readings = new List<Reading>();
        for (var seq = from; seq <= to; seq++)
        {
            readings.Add(new StateReading { Seq = seq, Device = "plc", Ts = s_t0.AddMilliseconds(seq), Value = 1 });
        }

        return new StoreReadings(s_gw, s_t0, readings, new HashSet<int>(), to, Live: true);
    }

    private static GatewayBirth Birth(params SeqAbandonment[] declarations) => new()
    {
        GatewayId = s_gw.GatewayId,
        Seq = declarations[^1].Seq,
        Ts = s_t0,
        ClockSynced = true,
        Session = 1,
        Devices = [],
        Abandoned = declarations,
    };
}
