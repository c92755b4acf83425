using System.Globalization;
using System.Text;

namespace Edge.Hub.State;

/// <summary>
/// A set of seqs as sorted, disjoint, non-adjacent inclusive ranges: here, the seqs a gateway declared abandoned that
/// the hub had not stored. They count as settled for the watermark (<see cref="AckState"/>) but hold no data, so the
/// first reading that still arrives for one of them is stored, and taken out of this set.
/// </summary>
/// <remarks>Not thread-safe; owners lock around it. Declarations are rare, so there are few ranges.</remarks>
internal sealed class SeqSet
{
    private readonly List<SeqSpan> _ranges;

    /// <summary>Creates an empty set.</summary>
    public SeqSet()
        : this([])
    {
    }

    private SeqSet(List<SeqSpan> ranges)
    {
        _ranges = ranges;
    }

    /// <summary>The ranges, ascending.</summary>
    public IReadOnlyList<SeqSpan> Ranges => _ranges;

    /// <summary>How many seqs the set holds.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var r in _ranges)
            {
                count += r.To - r.From + 1;
            }

            return count;
        }
    }

    /// <summary>Whether <paramref name="seq"/> is in the set.</summary>
    /// <param name="seq">The seq.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public bool Contains(long seq)
    {
        var i = IndexAtOrAfter(seq);
        return i < _ranges.Count && _ranges[i].From <= seq;
    }

    /// <summary>Adds an inclusive range, merging with what it touches.</summary>
    /// <param name="from">The first seq.</param>
    /// <param name="to">The last seq.</param>
    public void Add(long from, long to)
    {
        if (to < from)
        {
            return;
        }

        var i = IndexAtOrAfter(from - 1);
        var start = from;
        var end = to;
        var j = i;
        while (j < _ranges.Count && _ranges[j].From <= to + 1)
        {
            start = Math.Min(start, _ranges[j].From);
            end = Math.Max(end, _ranges[j].To);
            j++;
        }

        _ranges.RemoveRange(i, j - i);
        _ranges.Insert(i, new SeqSpan(start, end));
    }

    /// <summary>Takes one seq out of the set.</summary>
    /// <param name="seq">The seq.</param>
    /// <returns><see langword="true"/> when it was in the set.</returns>
    public bool Remove(long seq)
    {
        var i = IndexAtOrAfter(seq);
        if (i >= _ranges.Count || _ranges[i].From > seq)
        {
            return false;
        }

        var r = _ranges[i];
        if (r.From == r.To)
        {
            _ranges.RemoveAt(i);
        }
        else if (seq == r.From)
        {
            _ranges[i] = r with { From = seq + 1 };
        }
        else if (seq == r.To)
        {
            _ranges[i] = r with { To = seq - 1 };
        }
        else
        {
            _ranges[i] = r with { To = seq - 1 };
            _ranges.Insert(i + 1, new SeqSpan(seq + 1, r.To));
        }

        return true;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public SeqSet Clone() => new([.. _ranges]);

    /// <summary>The set as compact text, e.g. <c>12-15,20-20</c>; empty when there is nothing.</summary>
    /// <returns>The text.</returns>
    public string Format() => Format(_ranges);

    /// <summary>Ranges as compact text, e.g. <c>12-15,20-20</c>.</summary>
    /// <param name="ranges">The ranges.</param>
    /// <returns>The text.</returns>
    public static string Format(IEnumerable<SeqSpan> ranges)
    {
        var sb = new StringBuilder();
        foreach (var r in ranges)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(r.From.ToString(CultureInfo.InvariantCulture)).Append('-').Append(r.To.ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Rebuilds a set from <see cref="Format()"/>'s text.</summary>
    /// <param name="text">The text; empty or null for an empty set.</param>
    /// <returns>The set.</returns>
    /// <exception cref="FormatException">The text is not a list of <c>from-to</c> pairs.</exception>
    public static SeqSet Parse(string? text)
    {
        var set = new SeqSet();
        foreach (var r in ParseRanges(text))
        {
            set.Add(r.From, r.To);
        }

        return set;
    }

    /// <summary>The ranges of <see cref="Format(IEnumerable{SeqSpan})"/>'s text, as written (not merged).</summary>
    /// <param name="text">The text; empty or null for none.</param>
    /// <returns>The ranges.</returns>
    /// <exception cref="FormatException">The text is not a list of <c>from-to</c> pairs.</exception>
    public static IEnumerable<SeqSpan> ParseRanges(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0
                || !long.TryParse(part.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !long.TryParse(part.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from < 1
                || to < from)
            {
                throw new FormatException($"'{part}' is not a seq range 'from-to'.");
            }

            yield return new SeqSpan(from, to);
        }
    }

    private int IndexAtOrAfter(long seq) => IndexAtOrAfter(_ranges, seq);

    /// <summary>Index of the first of the sorted, disjoint <paramref name="ranges"/> whose To is ≥ seq (Count if none).</summary>
    internal static int IndexAtOrAfter(List<SeqSpan> ranges, long seq)
    {
        int lo = 0, hi = ranges.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ranges[mid].To < seq)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
