using Edge.Mqtt.Internal;
using FsCheck;
using FsCheck.Fluent;

namespace Edge.Mqtt.Tests;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan s_initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(60);

    [Fact]
    public void Without_jitter_the_delay_doubles_until_the_cap()
    {
        var delays = Enumerable.Range(1, 9).Select(n => ReconnectBackoff.Delay(n, s_initial, s_max, jitter: 0.5, random01: 0).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
    }

    [Fact]
    public void Delay_stays_within_the_jitter_band_and_under_the_cap_for_any_attempt()
    {
        var property = Prop.ForAll(
            Gen.Choose(1, 10_000).ToArbitrary(),
            Gen.Choose(0, 1000).Select(i => i / 1000.0).ToArbitrary(),
            Gen.Choose(0, 999).Select(i => i / 1000.0).ToArbitrary(),
            (attempt, jitter, r) =>
            {
                var d = ReconnectBackoff.Delay(attempt, s_initial, s_max, jitter, r);
                var ceiling = Math.Min(s_max.TotalSeconds, Math.Pow(2, Math.Min(attempt - 1, 30)));
                return d.TotalSeconds <= ceiling + 1e-6 && d.TotalSeconds >= (ceiling * (1 - jitter)) - 1e-6;
            });
        Check.QuickThrowOnFailure(property);
    }

    [Fact]
    public void Jitter_spreads_clients_that_failed_at_the_same_moment()
    {
        // 100 gateways on their 5th attempt with different random draws do not all retry at the same instant.
        var random = new Random(42);
        var delays = Enumerable.Range(0, 100).Select(_ => ReconnectBackoff.Delay(5, s_initial, s_max, 0.5, random.NextDouble())).ToList();
        Assert.True(delays.Distinct().Count() > 90);
        Assert.All(delays, d => Assert.InRange(d.TotalSeconds, 8, 16));
    }
}
