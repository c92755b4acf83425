using Microsoft.Extensions.Logging;

namespace Edge.Modbus;

/// <summary>
/// Every log line of Edge.Modbus. Event ids: 11000–11099 masters (TCP client, RTU bus), 11100–11199 servers.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 11000, Level = LogLevel.Information, Message = "Modbus {Link} connected")]
    internal static partial void Connected(ILogger logger, string link);

    [LoggerMessage(EventId = 11001, Level = LogLevel.Warning, Message = "Modbus {Link} connect failed: {NativeMessage} (errno {Errno})")]
    internal static partial void ConnectFailed(ILogger logger, string link, int errno, string nativeMessage);

    [LoggerMessage(EventId = 11002, Level = LogLevel.Warning, Message = "Modbus {Link} connection closed after {NativeMessage} (errno {Errno}); the next request reconnects")]
    internal static partial void ConnectionDropped(ILogger logger, string link, int errno, string nativeMessage);

    [LoggerMessage(EventId = 11003, Level = LogLevel.Debug, Message = "Modbus {Link} unit {UnitId} failed: {NativeMessage} (errno {Errno}); input flushed")]
    internal static partial void UnitFailed(ILogger logger, string link, byte unitId, int errno, string nativeMessage);

    [LoggerMessage(EventId = 11100, Level = LogLevel.Information, Message = "Modbus server {Link} serving")]
    internal static partial void ServerStarted(ILogger logger, string link);

    [LoggerMessage(EventId = 11101, Level = LogLevel.Information, Message = "Modbus server {Link} stopped")]
    internal static partial void ServerStopped(ILogger logger, string link);

    [LoggerMessage(EventId = 11102, Level = LogLevel.Debug, Message = "Modbus server {Link} accepted client descriptor {Fd}")]
    internal static partial void ServerClientAccepted(ILogger logger, string link, int fd);

    [LoggerMessage(EventId = 11103, Level = LogLevel.Debug, Message = "Modbus server {Link} closed client descriptor {Fd} (errno {Errno}; 104 is the client's close)")]
    internal static partial void ServerClientClosed(ILogger logger, string link, int fd, int errno);

    [LoggerMessage(EventId = 11104, Level = LogLevel.Warning, Message = "Modbus server {Link} refused a client: {Reason}")]
    internal static partial void ServerClientRefused(ILogger logger, string link, string reason);

    [LoggerMessage(EventId = 11105, Level = LogLevel.Debug, Message = "Modbus server {Link} dropped a garbled request (errno {Errno})")]
    internal static partial void ServerRequestDropped(ILogger logger, string link, int errno);

    [LoggerMessage(EventId = 11106, Level = LogLevel.Error, Message = "Modbus server {Link} failed and stopped serving")]
    internal static partial void ServerFailed(ILogger logger, string link, Exception error);
}
