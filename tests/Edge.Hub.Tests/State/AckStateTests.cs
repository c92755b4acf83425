using Edge.Contracts;
using Edge.Hub.State;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Edge.Hub.Tests.State;

public class AckStateTests
{
    [Fact]
    public void Contiguous_seqs_raise_the_watermark_and_leave_no_ranges()
    {
        var s = new AckState();
        foreach (var seq in new long[] { 3, 1, 2, 5, 4 })
        {
            Assert.True(s.Add(seq));
        }

        Assert.Equal(5, s.StoredThrough);
        Assert.Empty(s.Ranges);
        Assert.False(s.Add(3));
    }

    [Fact]
    public void A_hole_keeps_later_seqs_in_ranges_until_it_is_filled()
    {
        var s = new AckState();
        foreach (var seq in new long[] { 1, 2, 5, 6, 9 })
        {
            s.Add(seq);
        }

        Assert.Equal(2, s.StoredThrough);
        Assert.Equal([new SeqSpan(5, 6), new SeqSpan(9, 9)], s.Ranges);
        Assert.Equal(4, s.MissingBelowHighest);
        Assert.Equal("5-6,9-9", s.FormatRanges());

        s.Add(3);
        s.Add(4);
        Assert.Equal(6, s.StoredThrough);
        Assert.Equal([new SeqSpan(9, 9)], s.Ranges);
    }

    [Fact]
    public void Acknowledgement_carries_at_most_the_contract_limit_of_ranges_lowest_first()
    {
        var s = new AckState();
        for (long seq = 2; seq < 2 + (2 * (ContractLimits.MaxAckRanges + 50)); seq += 2)
        {
            s.Add(seq);
        }

        var ack = s.ToAcknowledgement("gw", DateTimeOffset.UtcNow);
        Assert.Equal(0, ack.StoredThrough);
        Assert.Equal(ContractLimits.MaxAckRanges, ack.Ranges!.Count);
        Assert.Equal(2, ack.Ranges[0].From);
        Assert.True(ContractCodec.TryValidate(ack, DateTimeOffset.UtcNow, out var error), error?.ToString());
    }

    [Fact]
    public void Any_order_of_adds_matches_a_set_and_survives_formatting()
    {
        var seqs = Gen.Choose(1, 300).Select(i => (long)i).ArrayOf();
        var property = Prop.ForAll(seqs.ToArbitrary(), adds =>
        {
            var s = new AckState();
            var model = new HashSet<long>();
            foreach (var a in adds)
            {
                if (s.Add(a) != model.Add(a))
                {
                    return false;
                }
            }

            var parsed = AckState.Parse(s.StoredThrough, s.FormatRanges());
            var ack = s.ToAcknowledgement("gw", DateTimeOffset.UtcNow);
            for (long q = 0; q <= 301; q++)
            {
                var expected = model.Contains(q);
                if (s.Contains(q) != expected || parsed.Contains(q) != expected || ack.IsStored(q) != expected)
                {
                    return false;
                }
            }

            // Normal form: ranges above the watermark + 1, ascending, never adjacent.
            var previous = s.StoredThrough;
            foreach (var r in s.Ranges)
            {
                if (r.From <= previous + 1 || r.To < r.From)
                {
                    return false;
                }

                previous = r.To;
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), property);
    }

    [Fact]
    public void Parse_refuses_garbage()
    {
        Assert.Throws<FormatException>(() => AckState.Parse(0, "5-x"));
        Assert.Throws<FormatException>(() => AckState.Parse(0, "9-5"));
        Assert.Throws<FormatException>(() => AckState.Parse(0, "0-5"));
    }

    [Fact]
    public void Parse_merges_overlapping_and_adjacent_ranges_into_the_watermark()
    {
        var s = AckState.Parse(3, "2-5,6-8,10-12,11-20");
        Assert.Equal(8, s.StoredThrough);
        Assert.Equal([new SeqSpan(10, 20)], s.Ranges);
    }
}
