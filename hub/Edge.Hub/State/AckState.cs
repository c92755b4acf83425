using Edge.Contracts;

namespace Edge.Hub.State;

/// <summary>
/// Which sequence numbers of one gateway are stored: a watermark (every seq at or below it) plus sorted, disjoint,
/// non-adjacent inclusive ranges above it. The same shape as the contract's <see cref="Acknowledgement"/>, so an
/// acknowledgement is a copy of this state.
/// </summary>
/// <remarks>
/// Not thread-safe; owners lock around it. Seqs are assigned by one durable counter per gateway and replays fill
/// holes, so in practice there are only a few ranges.
/// </remarks>
internal sealed class AckState
{
    private readonly List<SeqSpan> _ranges;

    /// <summary>Creates an empty state (nothing stored).</summary>
    public AckState()
        : this(0, [])
    {
    }

    private AckState(long storedThrough, List<SeqSpan> ranges)
    {
        StoredThrough = storedThrough;
        _ranges = ranges;
    }

    /// <summary>Every seq from 1 to this is stored; 0 when none is.</summary>
    public long StoredThrough { get; private set; }

    /// <summary>The stored ranges above <see cref="StoredThrough"/>, ascending; never adjacent to it or to each other.</summary>
    public IReadOnlyList<SeqSpan> Ranges => _ranges;

    /// <summary>The highest stored seq (0 when none).</summary>
    public long HighestStored => _ranges.Count > 0 ? _ranges[^1].To : StoredThrough;

    /// <summary>How many seqs above the watermark are missing below <see cref="HighestStored"/>.</summary>
    public long MissingBelowHighest
    {
        get
        {
            long missing = 0;
            var previous = StoredThrough;
            foreach (var r in _ranges)
            {
                missing += r.From - previous - 1;
                previous = r.To;
            }

            return missing;
        }
    }

    /// <summary>Whether <paramref name="seq"/> is stored.</summary>
    /// <param name="seq">The sequence number.</param>
    /// <returns><see langword="true"/> when stored.</returns>
    public bool Contains(long seq)
    {
        if (seq <= StoredThrough)
        {
            return seq >= 1;
        }

        var i = SeqSet.IndexAtOrAfter(_ranges, seq);
        return i < _ranges.Count && _ranges[i].From <= seq;
    }

    /// <summary>Marks one seq stored.</summary>
    /// <param name="seq">The sequence number (≥ 1).</param>
    /// <returns><see langword="true"/> when it was not stored before.</returns>
    public bool Add(long seq)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        if (Contains(seq))
        {
            return false;
        }

        var i = SeqSet.IndexAtOrAfter(_ranges, seq);

        // Join the range that ends right below and/or the one that starts right above.
        var joinsPrevious = i > 0 && _ranges[i - 1].To == seq - 1;
        var joinsNext = i < _ranges.Count && _ranges[i].From == seq + 1;
        if (joinsPrevious && joinsNext)
        {
            _ranges[i - 1] = new SeqSpan(_ranges[i - 1].From, _ranges[i].To);
            _ranges.RemoveAt(i);
        }
        else if (joinsPrevious)
        {
            _ranges[i - 1] = new SeqSpan(_ranges[i - 1].From, seq);
        }
        else if (joinsNext)
        {
            _ranges[i] = new SeqSpan(seq, _ranges[i].To);
        }
        else
        {
            _ranges.Insert(i, new SeqSpan(seq, seq));
        }

        Absorb();
        return true;
    }

    /// <summary>
    /// Marks every seq of [<paramref name="from"/>, <paramref name="to"/>] settled (a gateway declared them abandoned),
    /// walking ranges rather than seqs, and tells which of them were not settled before.
    /// </summary>
    /// <param name="from">The first seq (≥ 1).</param>
    /// <param name="to">The last seq.</param>
    /// <returns>The spans that are settled now and were not before, ascending.</returns>
    public List<SeqSpan> Settle(long from, long to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        var fresh = new List<SeqSpan>();
        var next = Math.Max(from, StoredThrough + 1);
        foreach (var r in _ranges)
        {
            if (next > to)
            {
                break;
            }

            if (r.To < next)
            {
                continue;
            }

            if (r.From > next)
            {
                fresh.Add(new SeqSpan(next, Math.Min(r.From - 1, to)));
            }

            next = r.To + 1;
        }

        if (next <= to)
        {
            fresh.Add(new SeqSpan(next, to));
        }

        if (fresh.Count > 0)
        {
            AddRange(from, to);
        }

        return fresh;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public AckState Clone() => new(StoredThrough, [.. _ranges]);

    /// <summary>The acknowledgement that says exactly this (the lowest ranges when there are more than the contract allows).</summary>
    /// <param name="gatewayId">The gateway.</param>
    /// <param name="now">The acknowledgement's timestamp.</param>
    /// <returns>The message.</returns>
    public Acknowledgement ToAcknowledgement(string gatewayId, DateTimeOffset now)
    {
        List<SeqRange>? ranges = null;
        if (_ranges.Count > 0)
        {
            // Sending the lowest ranges first lets the gateway free the oldest backlog; the rest is acknowledged
            // again (as duplicates) once the holes below it are filled.
            var count = Math.Min(_ranges.Count, ContractLimits.MaxAckRanges);
            ranges = new List<SeqRange>(count);
            for (var i = 0; i < count; i++)
            {
                ranges.Add(new SeqRange { From = _ranges[i].From, To = _ranges[i].To });
            }
        }

        return new Acknowledgement { GatewayId = gatewayId, StoredThrough = StoredThrough, Ranges = ranges, Ts = now };
    }

    /// <summary>The ranges as compact text for the state store, e.g. <c>12-15,20-20</c>; empty when there are none.</summary>
    /// <returns>The text.</returns>
    public string FormatRanges() => SeqSet.Format(_ranges);

    /// <summary>Rebuilds a state from its stored form, normalizing whatever it is given.</summary>
    /// <param name="storedThrough">The watermark.</param>
    /// <param name="ranges">Text from <see cref="FormatRanges"/>.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">The text is not a list of <c>from-to</c> pairs.</exception>
    public static AckState Parse(long storedThrough, string? ranges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(storedThrough);
        var state = new AckState(storedThrough, []);
        foreach (var r in SeqSet.ParseRanges(ranges))
        {
            state.AddRange(r.From, r.To);
        }

        return state;
    }

    private void AddRange(long from, long to)
    {
        // Used when loading and when seqs are declared abandoned: a long range must not be walked seq by seq.
        if (to <= StoredThrough)
        {
            return;
        }

        from = Math.Max(from, StoredThrough + 1);
        var i = SeqSet.IndexAtOrAfter(_ranges, from);
        var start = from;
        var end = to;
        if (i > 0 && _ranges[i - 1].To >= from - 1)
        {
            i--;
            start = _ranges[i].From;
        }

        var j = i;
        while (j < _ranges.Count && _ranges[j].From <= to + 1)
        {
            start = Math.Min(start, _ranges[j].From);
            end = Math.Max(end, _ranges[j].To);
            j++;
        }

        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, new SeqSpan(start, end));
        Absorb();
    }

    private void Absorb()
    {
        while (_ranges.Count > 0 && _ranges[0].From <= StoredThrough + 1)
        {
            StoredThrough = Math.Max(StoredThrough, _ranges[0].To);
            _ranges.RemoveAt(0);
        }
    }
}

/// <summary>An inclusive range of sequence numbers.</summary>
/// <param name="From">The first seq.</param>
/// <param name="To">The last seq (≥ <paramref name="From"/>).</param>
internal readonly record struct SeqSpan(long From, long To);
