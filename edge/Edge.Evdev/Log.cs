using Microsoft.Extensions.Logging;

namespace Edge.Evdev;

/// <summary>Every log line of Edge.Evdev. Event ids 14000–14099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 14000, Level = LogLevel.Information, Message = "Scanner {Path} opened: {Name} ({Vendor:x4}:{Product:x4}), grabbed {Grabbed}")]
    internal static partial void ScannerOpened(ILogger logger, string path, string name, int vendor, int product, bool grabbed);

    [LoggerMessage(EventId = 14001, Level = LogLevel.Information, Message = "Scanner {Path} closed")]
    internal static partial void ScannerClosed(ILogger logger, string path);

    [LoggerMessage(EventId = 14002, Level = LogLevel.Warning, Message = "Scanner {Path} disappeared")]
    internal static partial void ScannerLost(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 14003, Level = LogLevel.Warning, Message = "Scanner {Path}: the kernel dropped input events; the scan in progress is discarded")]
    internal static partial void EventsDropped(ILogger logger, string path);

    [LoggerMessage(EventId = 14004, Level = LogLevel.Warning, Message = "Scanner {Path}: partial scan of {Length} characters discarded ({Reason})")]
    internal static partial void ScanDiscarded(ILogger logger, string path, ScanDiscardReason reason, int length);

    [LoggerMessage(EventId = 14005, Level = LogLevel.Error, Message = "Scanner {Path}: reading failed; no more scans will arrive")]
    internal static partial void ScannerFailed(ILogger logger, Exception exception, string path);
}
