namespace Edge.Evdev.Internal;

/// <summary>One event as read from the device.</summary>
internal readonly record struct RawInputEvent(ushort Type, ushort Code, int Value, TimeSpan Timestamp);

/// <summary>Result of asking the source for its next event.</summary>
internal enum NextEventStatus
{
    /// <summary>An event was read.</summary>
    Event,

    /// <summary>The kernel dropped events (SYN_DROPPED); libevdev has re-synced its state.</summary>
    Dropped,

    /// <summary>No event pending.</summary>
    Empty,

    /// <summary>The device is gone (-ENODEV).</summary>
    Gone,
}

/// <summary>
/// The seam between the scanner's read loop and libevdev, so that device loss and SYN_DROPPED handling are tested
/// without /dev/uinput (which this build machine lacks). Called from the read thread only.
/// </summary>
internal interface IInputEventSource : IDisposable
{
    string DevicePath { get; }

    string Name { get; }

    int VendorId { get; }

    int ProductId { get; }

    /// <summary>Waits until events are pending or <paramref name="timeoutMs"/> passes; true when something happened
    /// (events, or a hang-up that the next read will report).</summary>
    bool Wait(int timeoutMs);

    NextEventStatus Next(out RawInputEvent e);

    /// <summary>The key's state as libevdev knows it (after a re-sync).</summary>
    bool IsKeyDown(KeyCode key);
}
