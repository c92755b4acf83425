using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Tests.Scales;

public class StabilityDetectorTests
{
    private static readonly DateTimeOffset s_t0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static ScaleSample At(double seconds, double kg, bool motion = false, IndicatorStatus status = IndicatorStatus.Ok) => new()
    {
        Timestamp = s_t0.AddSeconds(seconds),
        WeightKg = status == IndicatorStatus.Ok ? kg : null,
        Motion = motion,
        Status = status,
    };

    private static StabilityDetector Detector(int n = 5, double d = 10, double seconds = 2, bool honourMotion = true) =>
        new(new StabilityOptions { MinSamples = n, ToleranceKg = d, MinDuration = TimeSpan.FromSeconds(seconds), HonourIndicatorMotion = honourMotion });

    [Fact]
    public void Samples_within_band_become_stable_after_count_and_duration()
    {
        var detector = Detector();
        var results = new List<bool>();
        for (var i = 0; i <= 10; i++)
        {
            results.Add(detector.Add(At(i * 0.25, 20_000 + (i % 2 * 5))));
        }

        // 5 samples are reached at t = 1.0 s but 2 s only at the ninth sample (t = 2.0 s).
        Assert.All(results.Take(8), r => Assert.False(r));
        Assert.True(results[8]);
        Assert.Equal(20_000, detector.StableWeightKg);
    }

    [Fact]
    public void Stable_weight_is_the_newest_sample_not_an_average()
    {
        var detector = Detector(n: 3, seconds: 0);
        detector.Add(At(0, 1000));
        detector.Add(At(0.1, 1010));
        detector.Add(At(0.2, 1020));

        Assert.True(detector.IsStable);
        Assert.Equal(1020, detector.StableWeightKg);
    }

    [Fact]
    public void Sample_outside_the_band_restarts_the_run()
    {
        var detector = Detector(n: 3, d: 10, seconds: 0);
        detector.Add(At(0, 1000));
        detector.Add(At(0.1, 1000));
        detector.Add(At(0.2, 1000));
        Assert.True(detector.IsStable);

        Assert.False(detector.Add(At(0.3, 1050)));
        Assert.Equal(1, detector.RunLength);
        Assert.Null(detector.StableWeightKg);
    }

    [Fact]
    public void Band_is_plus_minus_tolerance_around_a_common_centre()
    {
        var detector = Detector(n: 3, d: 10, seconds: 0);
        detector.Add(At(0, 990));
        detector.Add(At(0.1, 1010));

        // 990..1010 is ±10 around 1000.
        Assert.True(detector.Add(At(0.2, 1000)));

        // 990 and 1011 cannot share a ±10 band: the run drops 990 and keeps the newest samples that fit.
        Assert.True(detector.Add(At(0.3, 1011)));
        Assert.Equal(3, detector.RunLength);

        // 989 fits with nothing before it.
        Assert.False(detector.Add(At(0.4, 989)));
        Assert.Equal(1, detector.RunLength);
    }

    [Fact]
    public void Slow_drift_never_becomes_stable_when_it_leaves_the_band()
    {
        var detector = Detector(n: 5, d: 5, seconds: 1);
        var stable = false;
        for (var i = 0; i < 100; i++)
        {
            stable |= detector.Add(At(i * 0.1, 1000 + (i * 3)));
        }

        Assert.False(stable);
    }

    [Fact]
    public void Indicator_motion_flag_breaks_stability()
    {
        var detector = Detector(n: 2, seconds: 0);
        detector.Add(At(0, 500));
        Assert.True(detector.Add(At(0.1, 500)));

        Assert.False(detector.Add(At(0.2, 500, motion: true)));
        Assert.False(detector.Add(At(0.3, 500)));
        Assert.True(detector.Add(At(0.4, 500)));
    }

    [Fact]
    public void Indicator_motion_can_be_ignored_by_configuration()
    {
        var detector = Detector(n: 2, seconds: 0, honourMotion: false);
        detector.Add(At(0, 500, motion: true));

        Assert.True(detector.Add(At(0.1, 500, motion: true)));
    }

    [Fact]
    public void Overload_sample_breaks_stability()
    {
        var detector = Detector(n: 2, seconds: 0);
        detector.Add(At(0, 500));
        detector.Add(At(0.1, 500));

        Assert.False(detector.Add(At(0.2, 0, status: IndicatorStatus.Overload)));
        Assert.Equal(0, detector.RunLength);
    }

    [Fact]
    public void Invalid_options_name_the_key()
    {
        var ex = Assert.Throws<DeviceConfigurationException>(() => new StabilityDetector(new StabilityOptions { MinSamples = 0, ToleranceKg = -1 }));

        Assert.Contains(ex.Errors, e => e.StartsWith("Stability:MinSamples", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Stability:ToleranceKg", StringComparison.Ordinal));
    }
}
