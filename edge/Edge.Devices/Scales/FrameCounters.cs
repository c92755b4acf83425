namespace Edge.Devices.Scales;

/// <summary>
/// Counts of accepted frames and of rejected frames per <see cref="FrameRejection"/>, plus bytes discarded
/// while resynchronising. Thread-safe: the driver counts, the health publisher reads.
/// </summary>
public sealed class FrameCounters
{
    private readonly long[] _rejections = new long[Enum.GetValues<FrameRejection>().Length];
    private long _accepted;
    private long _discardedBytes;

    /// <summary>Frames that became samples.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Bytes thrown away outside any frame (line noise, a frame's tail after connecting mid-frame).</summary>
    public long DiscardedBytes => Interlocked.Read(ref _discardedBytes);

    /// <summary>Frames rejected for any reason.</summary>
    public long TotalRejected
    {
        get
        {
            long sum = 0;
            for (var i = 1; i < _rejections.Length; i++)
            {
                sum += Interlocked.Read(ref _rejections[i]);
            }

            return sum;
        }
    }

    /// <summary>Frames rejected for <paramref name="reason"/>.</summary>
    /// <param name="reason">The reason.</param>
    /// <returns>The count.</returns>
    public long this[FrameRejection reason] => Interlocked.Read(ref _rejections[(int)reason]);

    /// <summary>Counts an accepted frame.</summary>
    public void CountAccepted() => Interlocked.Increment(ref _accepted);

    /// <summary>Counts a rejected frame.</summary>
    /// <param name="reason">Why; <see cref="FrameRejection.None"/> is ignored.</param>
    public void CountRejected(FrameRejection reason)
    {
        if (reason != FrameRejection.None)
        {
            Interlocked.Increment(ref _rejections[(int)reason]);
        }
    }

    /// <summary>Counts bytes discarded while looking for a frame start.</summary>
    /// <param name="count">How many.</param>
    public void CountDiscarded(long count) => Interlocked.Add(ref _discardedBytes, count);

    /// <summary>All counts by reason name (for health messages and logs).</summary>
    /// <returns>A new dictionary: <c>accepted</c>, <c>discardedBytes</c> and one entry per rejection reason.</returns>
    public IReadOnlyDictionary<string, long> ToDictionary()
    {
        var d = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["accepted"] = Accepted,
            ["discardedBytes"] = DiscardedBytes,
        };
        foreach (var reason in Enum.GetValues<FrameRejection>())
        {
            if (reason != FrameRejection.None)
            {
                d[reason.ToString()] = this[reason];
            }
        }

        return d;
    }
}
