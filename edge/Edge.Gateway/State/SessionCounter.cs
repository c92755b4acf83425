using System.Globalization;

namespace Edge.Gateway.State;

/// <summary>
/// The birth/death session number: greater at every connect, across restarts. Each connect attempt takes the next
/// number and makes it durable before the Last Will that carries it reaches the broker, so a late Will of an older
/// connection can never carry a session at or above a newer birth's.
/// </summary>
internal sealed class SessionCounter : IDisposable
{
    private readonly StateFile _file;
    private readonly Lock _lock = new();
    private long _current;

    public SessionCounter(string stateDirectory)
    {
        long max = 0;
        _file = StateFile.Open(Path.Combine(stateDirectory, "session"), records =>
        {
            foreach (var r in records)
            {
                if (long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    max = Math.Max(max, n);
                }
            }

            return max > 0 ? [max.ToString(CultureInfo.InvariantCulture)] : [];
        });
        _current = max;
    }

    /// <summary>The last number handed out (0 before the first connect ever).</summary>
    public long Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Takes the next number and stores it durably.</summary>
    public long Next()
    {
        lock (_lock)
        {
            // A clock-based floor keeps the number rising even if the state directory was lost (a new SD card).
            var next = Math.Max(_current + 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            _file.Append(next.ToString(CultureInfo.InvariantCulture));
            _current = next;
            return next;
        }
    }

    public void Dispose() => _file.Dispose();
}
