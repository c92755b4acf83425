using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Edge.Hub.Influx;

/// <summary>
/// Exponential backoff with "equal jitter": attempt n waits between half and all of min(max, initial × 2^n).
/// </summary>
/// <remarks>
/// The jitter spreads hubs that failed together (all writers behind one restarted influxd) so they do not return in
/// step; keeping at least half of the ceiling makes the number of requests during an outage predictable, which the
/// outage test asserts through <see cref="MaxRequestsWithin"/>.
/// </remarks>
internal sealed class RetrySchedule
{
    private readonly Func<double> _random;

    /// <summary>Creates a schedule.</summary>
    /// <param name="initial">The ceiling of the first retry.</param>
    /// <param name="max">The largest ceiling.</param>
    /// <param name="random">A source of numbers in [0, 1) for the jitter; a cryptographic one by default.</param>
    public RetrySchedule(TimeSpan initial, TimeSpan max, Func<double>? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        Initial = initial;
        Max = max;
        _random = random ?? (static () => RandomNumberGenerator.GetInt32(int.MaxValue) / (double)int.MaxValue);
    }

    /// <summary>The ceiling of the first retry.</summary>
    public TimeSpan Initial { get; }

    /// <summary>The largest ceiling.</summary>
    public TimeSpan Max { get; }

    /// <summary>The longest wait before retry <paramref name="attempt"/> (0-based).</summary>
    /// <param name="attempt">How many retries came before.</param>
    /// <returns>min(max, initial × 2^attempt).</returns>
    public TimeSpan Ceiling(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt, 0, 30));
        var ticks = Initial.Ticks * factor;
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The shortest wait before retry <paramref name="attempt"/>: half the ceiling.</summary>
    /// <param name="attempt">How many retries came before.</param>
    /// <returns>The lower bound of <see cref="NextDelay"/>.</returns>
    public TimeSpan MinimumDelay(int attempt) => Ceiling(attempt) / 2;

    /// <summary>The wait before retry <paramref name="attempt"/>, jittered.</summary>
    /// <param name="attempt">How many retries came before.</param>
    /// <returns>A wait in [ceiling / 2, ceiling].</returns>
    public TimeSpan NextDelay(int attempt)
    {
        var half = Ceiling(attempt) / 2;
        return half + (half * Math.Clamp(_random(), 0, 1));
    }

    /// <summary>
    /// The most requests a failing write can make in <paramref name="window"/> under this schedule: the first one plus
    /// every retry whose minimum waits add up to no more than the window.
    /// </summary>
    /// <param name="window">How long the failure lasts.</param>
    /// <returns>An upper bound of the request count.</returns>
    public int MaxRequestsWithin(TimeSpan window)
    {
        var requests = 1;
        var elapsed = TimeSpan.Zero;
        for (var attempt = 0; ; attempt++)
        {
            elapsed += MinimumDelay(attempt);
            if (elapsed > window)
            {
                return requests;
            }

            requests++;
        }
    }

    /// <summary>The wait a <c>Retry-After</c> header asks for (seconds or an HTTP date), if there is one.</summary>
    /// <param name="header">The parsed header.</param>
    /// <param name="now">The current time, for a date.</param>
    /// <returns>The wait (zero for a date in the past), or <see langword="null"/> without a usable header.</returns>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
