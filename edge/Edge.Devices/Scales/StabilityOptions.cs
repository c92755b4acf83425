namespace Edge.Devices.Scales;

/// <summary>The gateway's own settling rule (configuration section <c>Stability</c>).</summary>
public sealed class StabilityOptions
{
    /// <summary>At least this many consecutive samples must lie in the band. Default 5.</summary>
    public int MinSamples { get; set; } = 5;

    /// <summary>
    /// The half-width of the band in kg: samples are stable when all lie within ±<see cref="ToleranceKg"/> of a common
    /// centre (largest − smallest ≤ 2 × tolerance). Default 10 kg, one division of a 60 t weighbridge.
    /// </summary>
    public double ToleranceKg { get; set; } = 10.0;

    /// <summary>The samples in the band must span at least this long, newest minus oldest. Default 2 s.</summary>
    public TimeSpan MinDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether a sample with the indicator's motion flag breaks stability. Default <see langword="true"/>: a weight
    /// the indicator itself calls moving must not be captured for a ticket, whatever the band says.
    /// </summary>
    public bool HonourIndicatorMotion { get; set; } = true;

    /// <summary>The most samples remembered (16–100000); must exceed what arrives in <see cref="MinDuration"/>. Default 1024.</summary>
    public int MaxSamples { get; set; } = 1024;

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireRange(path, nameof(MinSamples), MinSamples, 1, 10_000);
        e.RequireRange(path, nameof(ToleranceKg), ToleranceKg, 0.0, 10_000.0);
        e.RequireNonNegative(path, nameof(MinDuration), MinDuration);
        e.RequireRange(path, nameof(MaxSamples), MaxSamples, 16, 100_000);
        if (MaxSamples < MinSamples)
        {
            e.Add(path, nameof(MaxSamples), "must be at least " + nameof(MinSamples));
        }

        return e.Errors;
    }
}
