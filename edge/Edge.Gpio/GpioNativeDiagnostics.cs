using System.Runtime.InteropServices;

namespace Edge.Gpio;

/// <summary>
/// Counts libgpiod objects this process holds (chips, requested lines, chip iterators). A debug aid for leak tests
/// and health pages: it returns to zero once every chip and line is disposed.
/// </summary>
public static class GpioNativeDiagnostics
{
    private static long s_liveHandles;

    /// <summary>Native handles currently alive in this process.</summary>
    public static long LiveHandles => Interlocked.Read(ref s_liveHandles);

    /// <summary>The libgpiod version the process loaded, e.g. "1.6.3".</summary>
    public static unsafe string LibraryVersion => Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.VersionString()) ?? "unknown";

    internal static void HandleCreated() => Interlocked.Increment(ref s_liveHandles);

    internal static void HandleReleased() => Interlocked.Decrement(ref s_liveHandles);
}
