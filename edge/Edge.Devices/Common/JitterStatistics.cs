namespace Edge.Devices;

/// <summary>
/// Lateness of scheduled work (actual start − scheduled start) over a sliding window of the most recent polls.
/// Thread-safe: the poll loop records, the health publisher reads.
/// </summary>
public sealed class JitterStatistics
{
    private readonly double[] _window;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private long _total;

    /// <summary>Creates the statistics.</summary>
    /// <param name="windowSize">How many recent samples the percentiles cover (≥ 1).</param>
    public JitterStatistics(int windowSize = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 1);
        _window = new double[windowSize];
    }

    /// <summary>Records one start.</summary>
    /// <param name="lateness">Actual minus scheduled start; negative values (early wake-ups) count as 0.</param>
    public void Record(TimeSpan lateness)
    {
        var ms = Math.Max(0.0, lateness.TotalMilliseconds);
        lock (_lock)
        {
            _window[_next] = ms;
            _next = (_next + 1) % _window.Length;
            _count = Math.Min(_count + 1, _window.Length);
            _total++;
        }
    }

    /// <summary>The percentiles over the window.</summary>
    /// <returns>The snapshot; all zero before the first sample.</returns>
    public JitterSnapshot GetSnapshot()
    {
        double[] copy;
        long total;
        lock (_lock)
        {
            copy = new double[_count];
            Array.Copy(_window, copy, _count);
            total = _total;
        }

        if (copy.Length == 0)
        {
            return new JitterSnapshot(0, 0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        }

        Array.Sort(copy);
        return new JitterSnapshot(
            total,
            copy.Length,
            TimeSpan.FromMilliseconds(Percentile(copy, 0.50)),
            TimeSpan.FromMilliseconds(Percentile(copy, 0.99)),
            TimeSpan.FromMilliseconds(copy[^1]));
    }

    // Nearest-rank percentile: always an observed value, so "p99 = 12 ms" means a poll really was 12 ms late.
    private static double Percentile(double[] sorted, double p)
    {
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>Poll lateness over the recent window.</summary>
/// <param name="TotalSamples">Starts recorded since creation.</param>
/// <param name="WindowSamples">Starts the percentiles cover.</param>
/// <param name="P50">Median lateness.</param>
/// <param name="P99">99th-percentile lateness (nearest rank).</param>
/// <param name="Max">Largest lateness in the window.</param>
public readonly record struct JitterSnapshot(long TotalSamples, int WindowSamples, TimeSpan P50, TimeSpan P99, TimeSpan Max);
