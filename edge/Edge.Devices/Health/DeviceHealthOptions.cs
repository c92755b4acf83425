namespace Edge.Devices;

/// <summary>When a device counts as degraded or down (configuration section <c>Health</c>).</summary>
public sealed class DeviceHealthOptions
{
    /// <summary>Errors within <see cref="ErrorWindow"/> that make the device degraded. Default 1.</summary>
    public int DegradedAfterErrors { get; set; } = 1;

    /// <summary>The window over which errors are counted for <see cref="DegradedAfterErrors"/>. Default 1 min.</summary>
    public TimeSpan ErrorWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>No good read for this long makes the device degraded. Default 30 s.</summary>
    public TimeSpan DegradedWhenStaleFor { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This many failures in a row make the device down. Default 5.</summary>
    public int DownAfterConsecutiveFailures { get; set; } = 5;

    /// <summary>No good read for this long makes the device down. Default 2 min.</summary>
    public TimeSpan DownWhenStaleFor { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireRange(path, nameof(DegradedAfterErrors), DegradedAfterErrors, 1, 10_000);
        e.RequirePositive(path, nameof(ErrorWindow), ErrorWindow);
        e.RequirePositive(path, nameof(DegradedWhenStaleFor), DegradedWhenStaleFor);
        e.RequireRange(path, nameof(DownAfterConsecutiveFailures), DownAfterConsecutiveFailures, 1, 1_000_000);
        e.RequirePositive(path, nameof(DownWhenStaleFor), DownWhenStaleFor);
        if (DownWhenStaleFor < DegradedWhenStaleFor)
        {
            e.Add(path, nameof(DownWhenStaleFor), "must be at least " + nameof(DegradedWhenStaleFor));
        }

        return e.Errors;
    }
}
