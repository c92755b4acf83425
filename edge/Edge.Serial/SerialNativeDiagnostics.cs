namespace Edge.Serial;

/// <summary>
/// Counts native objects this assembly holds (libserialport ports and configurations, pseudo-terminal and eventfd
/// descriptors). A debug aid for leak tests and health pages: it returns to zero once every port is disposed.
/// </summary>
public static class SerialNativeDiagnostics
{
    private static long s_liveHandles;

    /// <summary>Native handles currently alive in this process.</summary>
    public static long LiveHandles => Interlocked.Read(ref s_liveHandles);

    /// <summary>The libserialport package version the process loaded, e.g. "0.1.1".</summary>
    public static string LibraryVersion => SerialProxy.PackageVersion();

    internal static void HandleCreated() => Interlocked.Increment(ref s_liveHandles);

    internal static void HandleReleased() => Interlocked.Decrement(ref s_liveHandles);
}
