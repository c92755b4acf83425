using System.Net.Http.Headers;
using Edge.Hub.Influx;
using Xunit;

namespace Edge.Hub.Tests.Influx;

public class RetryScheduleTests
{
    [Fact]
    public void Ceiling_doubles_from_the_initial_delay_up_to_the_maximum()
    {
        var s = new RetrySchedule(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        Assert.Equal(
            new[] { 0.5, 1, 2, 4, 8, 10, 10 },
            Enumerable.Range(0, 7).Select(a => s.Ceiling(a).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(10), s.Ceiling(int.MaxValue));
    }

    [Fact]
    public void Jittered_delay_stays_between_half_and_all_of_the_ceiling()
    {
        var low = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => 0);
        var high = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), () => 0.999999);
        var real = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        for (var attempt = 0; attempt < 8; attempt++)
        {
            Assert.Equal(real.Ceiling(attempt) / 2, low.NextDelay(attempt));
            Assert.True(high.NextDelay(attempt) <= real.Ceiling(attempt));
            var d = real.NextDelay(attempt);
            Assert.InRange(d, real.MinimumDelay(attempt), real.Ceiling(attempt));
        }
    }

    [Fact]
    public void Jitter_spreads_the_delays()
    {
        var s = new RetrySchedule(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        var delays = Enumerable.Range(0, 20).Select(_ => s.NextDelay(3)).Distinct().Count();
        Assert.True(delays > 10, $"only {delays} distinct delays out of 20");
    }

    [Fact]
    public void Request_bound_follows_the_minimum_delays()
    {
        var s = new RetrySchedule(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

        // Minimum waits 0.25, 0.5, 1, 2, 4, 5, 5, … → cumulative 0.25, 0.75, 1.75, 3.75, 7.75, 12.75, 17.75, 22.75.
        Assert.Equal(1, s.MaxRequestsWithin(TimeSpan.FromSeconds(0.2)));
        Assert.Equal(8, s.MaxRequestsWithin(TimeSpan.FromSeconds(20)));
        Assert.Equal(28, s.MaxRequestsWithin(TimeSpan.FromSeconds(120)));
    }

    [Fact]
    public void Retry_after_in_seconds_is_honoured()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), RetrySchedule.RetryAfter(RetryConditionHeaderValue.Parse("2"), DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Retry_after_as_http_date_is_the_time_until_then()
    {
        var now = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        var header = RetryConditionHeaderValue.Parse("Sun, 01 Mar 2026 08:00:07 GMT");
        Assert.Equal(TimeSpan.FromSeconds(7), RetrySchedule.RetryAfter(header, now));
        Assert.Equal(TimeSpan.Zero, RetrySchedule.RetryAfter(header, now.AddMinutes(1)));
        Assert.Null(RetrySchedule.RetryAfter(null, now));
    }
}
