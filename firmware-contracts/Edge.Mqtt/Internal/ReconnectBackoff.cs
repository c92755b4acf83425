namespace Edge.Mqtt.Internal;

/// <summary>Capped exponential backoff with jitter (see <see cref="MqttReconnectOptions"/>).</summary>
internal static class ReconnectBackoff
{
    /// <summary>
    /// The delay before attempt <paramref name="attempt"/> (1 = first retry):
    /// <c>min(max, initial·2^(attempt−1))·(1 − jitter·random01)</c>.
    /// </summary>
    /// <param name="attempt">Failed attempts so far, from 1.</param>
    /// <param name="initial">Delay of the first retry.</param>
    /// <param name="max">Cap before jitter.</param>
    /// <param name="jitter">Share of the delay that is random, 0 to 1.</param>
    /// <param name="random01">A uniform random number in [0, 1).</param>
    internal static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double jitter, double random01)
    {
        // 2^30 × any sensible initial delay is far past any cap; stop doubling before double overflows the ticks.
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var capped = Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent));
        var ticks = capped * (1 - (Math.Clamp(jitter, 0, 1) * Math.Clamp(random01, 0, 1)));
        return TimeSpan.FromTicks((long)Math.Max(0, ticks));
    }
}
