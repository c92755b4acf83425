namespace Edge.Devices.Gpio;

/// <summary>A GPIO pulse counter, e.g. a photo-eye counting bales (configuration section <c>Devices:PulseCounters:N</c>).</summary>
public sealed class PulseCounterOptions
{
    /// <summary>The device id (1–64 of <c>[A-Za-z0-9_.-]</c>).</summary>
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>The GPIO chip the gateway opens, e.g. <c>gpiochip0</c>.</summary>
    public string Chip { get; set; } = "gpiochip0";

    /// <summary>The line offset on the chip.</summary>
    public int Line { get; set; }

    /// <summary>The edge that counts one pulse. Default rising.</summary>
    public EdgeKind CountEdge { get; set; } = EdgeKind.Rising;

    /// <summary>
    /// Whether the line is watched for both edges. Default <see langword="true"/>: the other edge lets the counter notice
    /// edges the kernel dropped (two counted edges without the opposite one between them).
    /// </summary>
    public bool WatchBothEdges { get; set; } = true;

    /// <summary>Edges closer than this to the previous edge are contact bounce and ignored (0–1 s). Default 5 ms.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How often the count is handed to the store (the outbox); bounds what a power cut can lose. Default 1 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The count is stored at least this often even when unchanged. Default 60 s.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>When the counter counts as degraded or down (a line that never pulses is not stale: defaults of a year).</summary>
    public DeviceHealthOptions Health { get; set; } = new()
    {
        DegradedWhenStaleFor = TimeSpan.FromDays(365),
        DownWhenStaleFor = TimeSpan.FromDays(366),
    };

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireId(path, nameof(DeviceId), DeviceId);
        if (string.IsNullOrWhiteSpace(Chip))
        {
            e.Add(path, nameof(Chip), "is required, e.g. gpiochip0");
        }

        e.RequireRange(path, nameof(Line), Line, 0, 1023);
        e.RequireDefined(path, nameof(CountEdge), CountEdge);
        e.RequireNonNegative(path, nameof(Debounce), Debounce);
        if (Debounce > TimeSpan.FromSeconds(1))
        {
            e.Add(path, nameof(Debounce), "must be at most 1 s");
        }

        e.RequirePositive(path, nameof(FlushInterval), FlushInterval);
        e.RequirePositive(path, nameof(Heartbeat), Heartbeat);
        if (Health is null)
        {
            e.Add(path, nameof(Health), "is required");
        }
        else
        {
            e.AddRange(Health.Validate(OptionErrors.Key(path, nameof(Health))));
        }

        return e.Errors;
    }
}
