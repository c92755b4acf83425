using Microsoft.Extensions.Logging;

namespace Edge.Mqtt;

/// <summary>
/// Every log line of Edge.Mqtt (event ids 10000–10099). Written from the client's dispatcher task, never from the
/// libmosquitto loop thread, because a logging provider may block.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 10001, Level = LogLevel.Information, Message = "MQTT client {ClientId} connected to {Endpoint} (session present: {SessionPresent})")]
    internal static partial void Connected(ILogger logger, string clientId, string endpoint, bool sessionPresent);

    [LoggerMessage(EventId = 10002, Level = LogLevel.Warning, Message = "MQTT client {ClientId} lost or could not open its connection to {Endpoint}: {Reason}")]
    internal static partial void ConnectionFailed(ILogger logger, string clientId, string endpoint, string reason);

    [LoggerMessage(EventId = 10003, Level = LogLevel.Information, Message = "MQTT client {ClientId} reconnecting to {Endpoint}: attempt {Attempt} in {DelayMs} ms")]
    internal static partial void Reconnecting(ILogger logger, string clientId, string endpoint, int attempt, long delayMs);

    [LoggerMessage(EventId = 10004, Level = LogLevel.Information, Message = "MQTT client {ClientId} disconnected from {Endpoint} as requested")]
    internal static partial void Disconnected(ILogger logger, string clientId, string endpoint);

    [LoggerMessage(EventId = 10010, Level = LogLevel.Warning, Message = "libmosquitto ({ClientId}): {Text}")]
    internal static partial void NativeWarning(ILogger logger, string clientId, string text);

    [LoggerMessage(EventId = 10011, Level = LogLevel.Debug, Message = "libmosquitto ({ClientId}): {Text}")]
    internal static partial void NativeDebug(ILogger logger, string clientId, string text);

    [LoggerMessage(EventId = 10020, Level = LogLevel.Warning, Message = "MQTT client {ClientId}: receive buffer full ({Capacity} messages); overflow policy {Policy}, {Dropped} dropped so far")]
    internal static partial void BufferFull(ILogger logger, string clientId, int capacity, MqttOverflowPolicy policy, long dropped);

    [LoggerMessage(EventId = 10030, Level = LogLevel.Error, Message = "MQTT client {ClientId}: a native callback failed; the event was dropped")]
    internal static partial void CallbackFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 10031, Level = LogLevel.Error, Message = "MQTT client {ClientId}: a ConnectionStateChanged handler threw")]
    internal static partial void EventHandlerFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 10032, Level = LogLevel.Critical, Message = "MQTT client {ClientId}: the network loop failed and stopped; dispose and recreate the client")]
    internal static partial void LoopFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 10040, Level = LogLevel.Information, Message = "MQTT client {ClientId}: new session, subscribing again to {Count} filter(s)")]
    internal static partial void Resubscribing(ILogger logger, string clientId, int count);

    [LoggerMessage(EventId = 10041, Level = LogLevel.Error, Message = "MQTT client {ClientId}: subscribing again to '{Filter}' after reconnecting failed")]
    internal static partial void ResubscribeFailed(ILogger logger, Exception exception, string clientId, string filter);

    [LoggerMessage(EventId = 10050, Level = LogLevel.Warning, Message = "MQTT client {ClientId}: {Count} operation(s) timed out waiting for the broker's acknowledgement")]
    internal static partial void OperationsTimedOut(ILogger logger, string clientId, int count);

    [LoggerMessage(EventId = 10051, Level = LogLevel.Warning, Message = "MQTT client {ClientId}: packet id {Mid} was reused while an abandoned operation still held it")]
    internal static partial void OperationSuperseded(ILogger logger, string clientId, int mid);
}
