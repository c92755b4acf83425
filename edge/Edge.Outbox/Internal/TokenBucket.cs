namespace Edge.Outbox.Internal;

/// <summary>
/// A token bucket on an injected clock: <see cref="Available"/> whole tokens, refilled at a fixed rate up to a depth.
/// Not thread-safe; the dispatcher calls it under its lock.
/// </summary>
internal sealed class TokenBucket
{
    // Rounding guard: 0.2 s × 5/s must give one whole token, not 0.999….
    private const double Epsilon = 1e-9;

    private readonly double _ratePerSecond;
    private readonly double _depth;
    private readonly TimeProvider _timeProvider;
    private double _tokens;
    private long _lastTimestamp;

    internal TokenBucket(double ratePerSecond, int depth, TimeProvider timeProvider)
    {
        _ratePerSecond = ratePerSecond;
        _depth = depth;
        _timeProvider = timeProvider;
        _tokens = depth;
        _lastTimestamp = timeProvider.GetTimestamp();
    }

    internal int Available
    {
        get
        {
            Refill();
            return (int)Math.Floor(_tokens + Epsilon);
        }
    }

    internal void Take(int count)
    {
        Refill();
        _tokens -= count;
    }

    /// <summary>How long until <paramref name="count"/> tokens are available.</summary>
    internal TimeSpan TimeUntil(int count)
    {
        Refill();
        var missing = count - _tokens;
        return missing <= Epsilon ? TimeSpan.Zero : TimeSpan.FromTicks((long)Math.Ceiling(missing / _ratePerSecond * TimeSpan.TicksPerSecond));
    }

    private void Refill()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_lastTimestamp, now);
        _lastTimestamp = now;
        _tokens = Math.Min(_depth, _tokens + (elapsed.TotalSeconds * _ratePerSecond));
    }
}
