using Microsoft.Extensions.Logging;

namespace Edge.Serial;

/// <summary>Every log line of Edge.Serial. Event ids 3100–3199.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Serial port {Path} opened on {Device} via {Backend} at {Settings}")]
    internal static partial void PortOpened(ILogger logger, string path, string device, string backend, SerialPortSettings settings);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Serial port {Path} closed")]
    internal static partial void PortClosed(ILogger logger, string path);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Serial port {Path} disconnected: {Reason}")]
    internal static partial void PortDisconnected(ILogger logger, Exception exception, string path, string reason);
}
