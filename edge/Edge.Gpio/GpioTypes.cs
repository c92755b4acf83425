namespace Edge.Gpio;

/// <summary>Which edges of an input line produce events.</summary>
public enum GpioEdge
{
    /// <summary>No events; the line can only be read.</summary>
    None = 0,

    /// <summary>Inactive-to-active transitions.</summary>
    Rising = 1,

    /// <summary>Active-to-inactive transitions.</summary>
    Falling = 2,

    /// <summary>Both transitions.</summary>
    Both = 3,
}

/// <summary>Internal pull resistor of an input line (kernel 5.5 or later; older kernels reject anything but AsIs).</summary>
public enum GpioBias
{
    /// <summary>Leave the bias as the device tree or a previous user set it.</summary>
    AsIs = 0,

    /// <summary>No pull resistor.</summary>
    Disabled = 1,

    /// <summary>Pull-up resistor (e.g. an open-collector photo-eye output).</summary>
    PullUp = 2,

    /// <summary>Pull-down resistor.</summary>
    PullDown = 3,
}

/// <summary>Output stage of an output line.</summary>
public enum GpioDrive
{
    /// <summary>Driven both high and low.</summary>
    PushPull = 0,

    /// <summary>Driven low only; high is left to a pull-up.</summary>
    OpenDrain = 1,

    /// <summary>Driven high only; low is left to a pull-down.</summary>
    OpenSource = 2,
}

/// <summary>Whether events may be missing before an event.</summary>
public enum GpioGap
{
    /// <summary>Nothing indicates a missing event.</summary>
    None = 0,

    /// <summary>
    /// The previous read emptied a full kernel queue (16 events in the v1 uAPI); the kernel drops events silently
    /// when that queue overflows, so some may be missing.
    /// </summary>
    Possible = 1,

    /// <summary>
    /// Events are certainly missing: with both edges requested two equal edges arrived in a row, or this process's
    /// own event queue was full.
    /// </summary>
    Certain = 2,
}

/// <summary>
/// One edge seen by the kernel.
/// </summary>
/// <param name="Offset">Line offset on its chip.</param>
/// <param name="Edge"><see cref="GpioEdge.Rising"/> or <see cref="GpioEdge.Falling"/> (after active-low inversion).</param>
/// <param name="TimestampNanoseconds">The kernel's timestamp, taken in the interrupt handler: CLOCK_MONOTONIC since
/// Linux 5.7 (CLOCK_REALTIME before), so intervals between pulses do not include scheduling delay.</param>
/// <param name="Sequence">This process's count of events delivered on the line, from 1. libgpiod v1 has no kernel
/// sequence numbers (the v2 uAPI adds them); see <see cref="Gap"/>.</param>
/// <param name="Gap">Whether events may be missing before this one.</param>
public readonly record struct GpioEdgeEvent(int Offset, GpioEdge Edge, long TimestampNanoseconds, long Sequence, GpioGap Gap)
{
    /// <summary>The kernel timestamp as a <see cref="TimeSpan"/> (100 ns resolution).</summary>
    public TimeSpan Timestamp => TimeSpan.FromTicks(TimestampNanoseconds / 100);
}

/// <summary>Options of an input line request.</summary>
public sealed record GpioInputOptions
{
    /// <summary>Invert the line: a low level reads as true and a falling voltage is a rising edge.</summary>
    public bool ActiveLow { get; init; }

    /// <summary>
    /// Software debounce on the kernel timestamps: an edge less than this after the previous delivered edge is
    /// dropped (and counted). Zero (the default) delivers every edge. The v1 uAPI has no kernel debounce.
    /// </summary>
    public TimeSpan Debounce { get; init; }

    /// <summary>Events buffered for a slow reader before they are dropped (and flagged). Default 4096.</summary>
    public int EventQueueCapacity { get; init; } = 4096;

    internal void Validate()
    {
        if (Debounce < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Debounce), Debounce, $"{nameof(Debounce)} must not be negative.");
        }

        if (EventQueueCapacity < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(EventQueueCapacity), EventQueueCapacity, $"{nameof(EventQueueCapacity)} must be at least 16 (one kernel queue).");
        }
    }
}

/// <summary>Options of an output line request.</summary>
public sealed record GpioOutputOptions
{
    /// <summary>Invert the line: writing true drives it low.</summary>
    public bool ActiveLow { get; init; }

    /// <summary>Output stage. Default push-pull.</summary>
    public GpioDrive Drive { get; init; } = GpioDrive.PushPull;
}

/// <summary>Counters of one input line, for health pages and loss alarms.</summary>
/// <param name="EventsRead">Events read from the kernel.</param>
/// <param name="EventsDelivered">Events written to the line's event queue.</param>
/// <param name="EventsDebounced">Events dropped by the software debounce.</param>
/// <param name="MissedEdges">Times two equal edges arrived in a row with both edges requested (at least one edge
/// pair was lost, or a glitch was shorter than the kernel could sample).</param>
/// <param name="FullKernelReads">Reads that emptied a full kernel queue (the kernel may have dropped events).</param>
/// <param name="DroppedByReader">Events dropped because the reader let the event queue fill.</param>
public readonly record struct GpioLineStatistics(long EventsRead, long EventsDelivered, long EventsDebounced, long MissedEdges, long FullKernelReads, long DroppedByReader);
