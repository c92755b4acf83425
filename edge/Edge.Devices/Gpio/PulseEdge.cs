namespace Edge.Devices.Gpio;

/// <summary>The direction of a line transition.</summary>
public enum EdgeKind
{
    /// <summary>Low to high.</summary>
    Rising,

    /// <summary>High to low.</summary>
    Falling,
}

/// <summary>What the binding knows about events lost before an edge.</summary>
public enum EdgeGap
{
    /// <summary>Nothing indicates a loss.</summary>
    None,

    /// <summary>A full kernel queue was read just before: events may have been dropped.</summary>
    Possible,

    /// <summary>Events were certainly lost (the binding's own queue overflowed, or it saw two equal edges in a row).</summary>
    Certain,
}

/// <summary>One edge event as the kernel reported it.</summary>
/// <param name="Kind">Rising or falling.</param>
/// <param name="TimestampNs">The kernel's timestamp of the event in nanoseconds (libgpiod's <c>ts</c>), not the time it was read.</param>
/// <param name="Gap">The binding's hint about events lost before this one.</param>
public readonly record struct PulseEdge(EdgeKind Kind, long TimestampNs, EdgeGap Gap = EdgeGap.None);
