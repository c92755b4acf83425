namespace Edge.Devices.Scanners;

/// <summary>
/// Drops repeated reads of the same code at the same station (or device) within a window. Thread-safe.
/// </summary>
/// <remarks>
/// With <see cref="Sliding"/> (the default) every repeat restarts the window, so an RFID tag parked in front of a
/// reader, reported ten times a second, yields one scan until it has been away for a whole window; a fixed window
/// would re-accept it every window. Each station remembers several codes, so two tags read alternately are both
/// suppressed. Memory is bounded: codes older than the window are forgotten and at most
/// <see cref="MaxCodesPerStation"/> are kept per station (the oldest go first).
/// </remarks>
public sealed class RepeatSuppressor
{
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _stations = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates a suppressor.</summary>
    /// <param name="window">Repeats closer than this are dropped (0 disables suppression).</param>
    /// <param name="sliding">Whether each repeat restarts the window.</param>
    /// <param name="maxCodesPerStation">The most codes remembered per station (≥ 1).</param>
    public RepeatSuppressor(TimeSpan window, bool sliding = true, int maxCodesPerStation = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCodesPerStation, 1);
        Window = window;
        Sliding = sliding;
        MaxCodesPerStation = maxCodesPerStation;
    }

    /// <summary>The window.</summary>
    public TimeSpan Window { get; }

    /// <summary>Whether each repeat restarts the window.</summary>
    public bool Sliding { get; }

    /// <summary>The most codes remembered per station.</summary>
    public int MaxCodesPerStation { get; }

    /// <summary>Decides whether a read is new.</summary>
    /// <param name="station">The station or device the read belongs to.</param>
    /// <param name="code">The normalised code.</param>
    /// <param name="timestamp">When it was read.</param>
    /// <returns><see langword="true"/> to accept, <see langword="false"/> for a repeat within the window.</returns>
    public bool ShouldAccept(string station, string code, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(station);
        ArgumentNullException.ThrowIfNull(code);
        if (Window == TimeSpan.Zero)
        {
            return true;
        }

        lock (_lock)
        {
            if (!_stations.TryGetValue(station, out var codes))
            {
                codes = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
                _stations[station] = codes;
            }

            // "Seen" holds the start of the window: the last accepted read, or with sliding, the last read of any kind.
            if (codes.TryGetValue(code, out var seen) && timestamp - seen < Window && timestamp >= seen)
            {
                if (Sliding)
                {
                    codes[code] = timestamp;
                }

                return false;
            }

            codes[code] = timestamp;
            if (codes.Count > MaxCodesPerStation)
            {
                Prune(codes, timestamp);
            }

            return true;
        }
    }

    private void Prune(Dictionary<string, DateTimeOffset> codes, DateTimeOffset now)
    {
        List<string>? expired = null;
        foreach (var (c, t) in codes)
        {
            if (now - t >= Window)
            {
                (expired ??= []).Add(c);
            }
        }

        if (expired is not null)
        {
            foreach (var c in expired)
            {
                codes.Remove(c);
            }
        }

        while (codes.Count > MaxCodesPerStation)
        {
            var oldest = codes.MinBy(kv => kv.Value).Key;
            codes.Remove(oldest);
        }
    }
}
