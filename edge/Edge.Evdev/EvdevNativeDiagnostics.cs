namespace Edge.Evdev;

/// <summary>
/// Counts native objects this assembly holds (libevdev devices, uinput devices, event-device descriptors). A debug
/// aid for leak tests and health pages: it returns to zero once every scanner and virtual keyboard is disposed.
/// </summary>
public static class EvdevNativeDiagnostics
{
    private static long s_liveHandles;

    /// <summary>Native handles currently alive in this process.</summary>
    public static long LiveHandles => Interlocked.Read(ref s_liveHandles);

    internal static void HandleCreated() => Interlocked.Increment(ref s_liveHandles);

    internal static void HandleReleased() => Interlocked.Decrement(ref s_liveHandles);
}
