namespace Edge.Evdev;

/// <summary>The value of an EV_KEY event.</summary>
public enum KeyAction
{
    /// <summary>Value 0: key released.</summary>
    Release = 0,

    /// <summary>Value 1: key pressed.</summary>
    Press = 1,

    /// <summary>Value 2: kernel auto-repeat while held.</summary>
    Repeat = 2,
}

/// <summary>One EV_KEY event.</summary>
/// <param name="Key">Key code.</param>
/// <param name="Action">Press, release or repeat.</param>
/// <param name="Timestamp">The kernel's event time (CLOCK_MONOTONIC for devices opened by <see cref="BarcodeScanner"/>).</param>
public readonly record struct KeyEvent(KeyCode Key, KeyAction Action, TimeSpan Timestamp);

/// <summary>Why a partly typed scan was thrown away.</summary>
public enum ScanDiscardReason
{
    /// <summary>More characters than <see cref="KeyboardWedgeOptions.MaxScanLength"/> before a terminator.</summary>
    TooLong,

    /// <summary>No key for longer than <see cref="KeyboardWedgeOptions.StaleScanTimeout"/> in the middle of a scan
    /// (a scanner types a whole code in milliseconds; a pause means a lost terminator or someone at a keyboard).</summary>
    Stale,

    /// <summary>The kernel dropped events (SYN_DROPPED): characters may be missing, so the scan cannot be trusted.</summary>
    EventsDropped,

    /// <summary>The device disappeared in the middle of a scan.</summary>
    DeviceLost,
}

/// <summary>What a scanner produced: a complete scan or a discarded partial one.</summary>
/// <param name="Timestamp">Time of the event that produced the outcome.</param>
public abstract record ScanOutcome(TimeSpan Timestamp);

/// <summary>A complete scan, ended by a terminator key.</summary>
/// <param name="Text">The decoded characters, without the terminator.</param>
/// <param name="StartedAt">Time of the first key.</param>
/// <param name="CompletedAt">Time of the terminator.</param>
/// <param name="UnmappedKeys">Keys the layout has no character for (e.g. F-keys); they are left out of
/// <paramref name="Text"/>, so a non-zero count means the scanner and layout may not match.</param>
public sealed record BarcodeScan(string Text, TimeSpan StartedAt, TimeSpan CompletedAt, int UnmappedKeys) : ScanOutcome(CompletedAt);

/// <summary>A scan that was started but could not be trusted.</summary>
/// <param name="PartialText">What had been typed so far.</param>
/// <param name="Reason">Why it was discarded.</param>
/// <param name="At">When it was discarded.</param>
public sealed record DiscardedScan(string PartialText, ScanDiscardReason Reason, TimeSpan At) : ScanOutcome(At);

/// <summary>How key events are turned into scans.</summary>
public sealed record KeyboardWedgeOptions
{
    /// <summary>Keys that end a scan. Default Enter and keypad Enter.</summary>
    public IReadOnlyList<KeyCode> Terminators { get; init; } = [KeyCode.Enter, KeyCode.KpEnter];

    /// <summary>Longest scan accepted; longer input is discarded at its terminator. Default 512.</summary>
    public int MaxScanLength { get; init; } = 512;

    /// <summary>A partial scan older than this without a new key is discarded. Default 2 s.</summary>
    public TimeSpan StaleScanTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Report a terminator with nothing before it as an empty scan. Default false (ignored).</summary>
    public bool ReportEmptyScans { get; init; }

    internal void Validate()
    {
        if (Terminators is null || Terminators.Count == 0)
        {
            throw new ArgumentException($"{nameof(Terminators)} must name at least one key.", nameof(Terminators));
        }

        if (MaxScanLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxScanLength), MaxScanLength, $"{nameof(MaxScanLength)} must be at least 1.");
        }

        if (StaleScanTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StaleScanTimeout), StaleScanTimeout, $"{nameof(StaleScanTimeout)} must be positive.");
        }
    }
}
