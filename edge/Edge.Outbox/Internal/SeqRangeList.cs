namespace Edge.Outbox.Internal;

/// <summary>
/// A set of seqs as sorted, disjoint, non-adjacent inclusive ranges. A salvage adds seqs mostly in ascending order,
/// so adding at the end is the fast path; anything else is inserted and merged.
/// </summary>
internal sealed class SeqRangeList
{
    private readonly List<OutboxSeqRange> _ranges = [];

    internal IReadOnlyList<OutboxSeqRange> Ranges => _ranges;

    internal void Add(long from, long to)
    {
        if (to < from)
        {
            return;
        }

        if (_ranges.Count == 0 || _ranges[^1].To < from - 1)
        {
            _ranges.Add(new OutboxSeqRange(from, to));
            return;
        }

        // Merge with every range it touches or overlaps.
        var i = _ranges.FindIndex(r => r.To >= from - 1);
        var start = Math.Min(from, _ranges[i].From);
        var end = to;
        var j = i;
        while (j < _ranges.Count && _ranges[j].From <= to + 1)
        {
            end = Math.Max(end, _ranges[j].To);
            j++;
        }

        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, new OutboxSeqRange(start, end));
    }

    /// <summary>The seqs of [<paramref name="low"/>, <paramref name="high"/>] NOT in the set, as ranges.</summary>
    internal List<OutboxSeqRange> ComplementWithin(long low, long high)
    {
        var result = new List<OutboxSeqRange>();
        var next = low;
        foreach (var r in _ranges)
        {
            if (r.To < next)
            {
                continue;
            }

            if (r.From > high)
            {
                break;
            }

            if (r.From > next)
            {
                result.Add(new OutboxSeqRange(next, Math.Min(r.From - 1, high)));
            }

            next = r.To + 1;
            if (next > high)
            {
                return result;
            }
        }

        if (next <= high)
        {
            result.Add(new OutboxSeqRange(next, high));
        }

        return result;
    }

    /// <summary>How many seqs of the set lie in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    internal long CountWithin(long low, long high)
    {
        long count = 0;
        foreach (var r in _ranges)
        {
            var from = Math.Max(r.From, low);
            var to = Math.Min(r.To, high);
            if (to >= from)
            {
                count += to - from + 1;
            }
        }

        return count;
    }
}
