namespace Edge.Devices.Tests.Common;

public class BackoffTests
{
    [Fact]
    public void Delays_double_up_to_the_cap_without_jitter()
    {
        var b = new ExponentialBackoff(new BackoffOptions { Initial = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(30), Jitter = 0 });

        var delays = Enumerable.Range(0, 8).Select(_ => b.NextDelay().TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void Jitter_draws_below_the_nominal_delay()
    {
        var draws = new Queue<double>([0.0, 0.5, 0.999]);
        var b = new ExponentialBackoff(new BackoffOptions { Initial = TimeSpan.FromSeconds(10), Max = TimeSpan.FromSeconds(10), Jitter = 0.2 }, draws.Dequeue);

        Assert.Equal(10.0, b.NextDelay().TotalSeconds, 6);
        Assert.Equal(9.0, b.NextDelay().TotalSeconds, 6);
        Assert.Equal(8.002, b.NextDelay().TotalSeconds, 6);
    }

    [Fact]
    public void Success_starts_the_schedule_over()
    {
        var b = new ExponentialBackoff(new BackoffOptions { Jitter = 0 });
        b.NextDelay();
        b.NextDelay();

        b.Reset();

        Assert.Equal(0, b.Failures);
        Assert.Equal(TimeSpan.FromSeconds(1), b.NextDelay());
    }

    [Fact]
    public void Outage_of_any_length_keeps_producing_the_capped_delay()
    {
        var b = new ExponentialBackoff(new BackoffOptions { Max = TimeSpan.FromMinutes(5), Jitter = 0 });

        for (var i = 0; i < 100_000; i++)
        {
            b.NextDelay();
        }

        Assert.Equal(TimeSpan.FromMinutes(5), b.NextDelay());
    }

    [Fact]
    public void Invalid_options_name_the_key()
    {
        var errors = new BackoffOptions { Initial = TimeSpan.Zero, Multiplier = 0.5, Jitter = 2 }.Validate("Devices:Plcs:0:Backoff");

        Assert.Contains(errors, e => e.StartsWith("Devices:Plcs:0:Backoff:Initial", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Devices:Plcs:0:Backoff:Multiplier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Devices:Plcs:0:Backoff:Jitter", StringComparison.Ordinal));
    }
}

public class JitterStatisticsTests
{
    [Fact]
    public void Percentiles_are_observed_values_over_the_window()
    {
        var j = new JitterStatistics(windowSize: 100);
        for (var i = 1; i <= 100; i++)
        {
            j.Record(TimeSpan.FromMilliseconds(i));
        }

        var s = j.GetSnapshot();

        Assert.Equal(TimeSpan.FromMilliseconds(50), s.P50);
        Assert.Equal(TimeSpan.FromMilliseconds(99), s.P99);
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.Max);
    }

    [Fact]
    public void Old_samples_leave_the_window()
    {
        var j = new JitterStatistics(windowSize: 4);
        j.Record(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 4; i++)
        {
            j.Record(TimeSpan.FromMilliseconds(1));
        }

        var s = j.GetSnapshot();
        Assert.Equal(TimeSpan.FromMilliseconds(1), s.Max);
        Assert.Equal(5, s.TotalSamples);
        Assert.Equal(4, s.WindowSamples);
    }

    [Fact]
    public void Early_start_counts_as_zero_lateness()
    {
        var j = new JitterStatistics();
        j.Record(TimeSpan.FromMilliseconds(-3));

        Assert.Equal(TimeSpan.Zero, j.GetSnapshot().Max);
    }
}
