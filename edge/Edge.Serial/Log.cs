using Microsoft.Extensions.Logging;

namespace Edge.Serial;

/// <summary>Every log line of Edge.Serial. Event ids 12000–12099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 12000, Level = LogLevel.Information, Message = "Serial port {Path} opened on {Device} via {Backend} at {Settings}")]
    internal static partial void PortOpened(ILogger logger, string path, string device, string backend, SerialPortSettings settings);

    [LoggerMessage(EventId = 12001, Level = LogLevel.Information, Message = "Serial port {Path} closed")]
    internal static partial void PortClosed(ILogger logger, string path);

    [LoggerMessage(EventId = 12002, Level = LogLevel.Warning, Message = "Serial port {Path} disconnected: {Reason}")]
    internal static partial void PortDisconnected(ILogger logger, Exception exception, string path, string reason);
}
