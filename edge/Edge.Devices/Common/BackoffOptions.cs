namespace Edge.Devices;

/// <summary>Capped exponential backoff with jitter for a device that keeps failing (configuration section <c>Backoff</c>).</summary>
public sealed class BackoffOptions
{
    /// <summary>The delay after the first failure. Default 1 s.</summary>
    public TimeSpan Initial { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay, however long the outage lasts. Default 60 s.</summary>
    public TimeSpan Max { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How much each further failure multiplies the delay (≥ 1). Default 2.</summary>
    public double Multiplier { get; set; } = 2.0;

    /// <summary>
    /// The fraction of the delay randomised, 0–1: the delay is drawn from [d·(1−j), d]. Default 0.2, which
    /// keeps many gateways that lost the same PLC from retrying in lock-step.
    /// </summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section, e.g. <c>Devices:Plcs:0:Backoff</c>.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequirePositive(path, nameof(Initial), Initial);
        e.RequirePositive(path, nameof(Max), Max);
        if (Max < Initial)
        {
            e.Add(path, nameof(Max), "must be at least " + nameof(Initial));
        }

        e.RequireRange(path, nameof(Multiplier), Multiplier, 1.0, 100.0);
        e.RequireRange(path, nameof(Jitter), Jitter, 0.0, 1.0);
        return e.Errors;
    }
}

/// <summary>
/// The delay schedule of one device: grows by <see cref="BackoffOptions.Multiplier"/> per consecutive failure up to
/// <see cref="BackoffOptions.Max"/>, never gives up, and starts over after a success. Not thread-safe: one poll loop
/// owns it.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly BackoffOptions _options;
    private readonly Func<double> _random;

    /// <summary>Creates a schedule.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="random">Uniform numbers in [0, 1); <see langword="null"/> for <see cref="Random.Shared"/>. Tests pass a fixed sequence.</param>
    public ExponentialBackoff(BackoffOptions options, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate(nameof(BackoffOptions)));
        _options = options;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Consecutive failures since the last success.</summary>
    public int Failures { get; private set; }

    /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
    /// <returns>The delay, in [d·(1−jitter), d] with d = min(max, initial·multiplier^(failures−1)).</returns>
    public TimeSpan NextDelay()
    {
        if (Failures < int.MaxValue)
        {
            Failures++;
        }

        // Work in doubles and clamp before converting: multiplier^failures overflows TimeSpan long before an
        // outage of a few hours ends, and an outage of any length must keep producing valid delays.
        var initial = _options.Initial.TotalMilliseconds;
        var max = _options.Max.TotalMilliseconds;
        var exponent = Math.Min(Failures - 1, 1000);
        var nominal = Math.Min(max, initial * Math.Pow(_options.Multiplier, exponent));
        if (!double.IsFinite(nominal))
        {
            nominal = max;
        }

        var factor = 1.0 - (_options.Jitter * Math.Clamp(_random(), 0.0, 1.0));
        return TimeSpan.FromMilliseconds(Math.Max(1.0, nominal * factor));
    }

    /// <summary>Records a success: the next failure starts again at <see cref="BackoffOptions.Initial"/>.</summary>
    public void Reset() => Failures = 0;
}
