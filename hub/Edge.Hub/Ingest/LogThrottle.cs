namespace Edge.Hub.Ingest;

/// <summary>
/// Lets one log line per source through per interval and counts the rest, so a gateway spewing garbage (or an
/// attacker inventing a new topic per message) costs one line a minute, not one per message.
/// </summary>
/// <remarks>
/// Thread-safe. Memory is bounded: beyond <see cref="MaxSources"/> distinct sources in one interval, the others
/// share one entry.
/// </remarks>
internal sealed class LogThrottle
{
    /// <summary>Most sources tracked at once.</summary>
    public const int MaxSources = 256;

    /// <summary>The shared entry for sources beyond <see cref="MaxSources"/>.</summary>
    public const string OtherSources = "(other sources)";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeSpan _interval;
    private DateTimeOffset _lastSweep;

    /// <summary>Creates a throttle.</summary>
    /// <param name="interval">At most one line per source per this interval.</param>
    public LogThrottle(TimeSpan interval)
    {
        _interval = interval;
    }

    /// <summary>Decides whether to log an event from <paramref name="source"/> now.</summary>
    /// <param name="source">The source (gateway id, topic…); long values are cut.</param>
    /// <param name="now">The time.</param>
    /// <param name="suppressed">When logging: how many events of this source were held back since its last line.</param>
    /// <param name="expired">Sources whose interval ended with events held back, to be summarized; usually empty.</param>
    /// <returns><see langword="true"/> when the caller should log this event.</returns>
    public bool ShouldLog(string source, DateTimeOffset now, out long suppressed, out IReadOnlyList<(string Source, long Suppressed)> expired)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > 128)
        {
            source = source[..128];
        }

        lock (_gate)
        {
            expired = now - _lastSweep >= _interval ? Sweep(now) : [];
            if (!_windows.TryGetValue(source, out var w))
            {
                if (_windows.Count >= MaxSources)
                {
                    source = OtherSources;
                    _windows.TryGetValue(source, out w);
                }

                if (w is null)
                {
                    _windows[source] = new Window(now);
                    suppressed = 0;
                    return true;
                }
            }

            if (now - w.Start >= _interval)
            {
                suppressed = w.Suppressed;
                w.Start = now;
                w.Suppressed = 0;
                return true;
            }

            w.Suppressed++;
            suppressed = 0;
            return false;
        }
    }

    private List<(string, long)> Sweep(DateTimeOffset now)
    {
        _lastSweep = now;
        List<(string, long)>? expired = null;
        List<string>? remove = null;
        foreach (var (source, w) in _windows)
        {
            if (now - w.Start < _interval)
            {
                continue;
            }

            (remove ??= []).Add(source);
            if (w.Suppressed > 0)
            {
                (expired ??= []).Add((source, w.Suppressed));
            }
        }

        if (remove is not null)
        {
            foreach (var s in remove)
            {
                _windows.Remove(s);
            }
        }

        return expired ?? [];
    }

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public long Suppressed { get; set; }
    }
}
