using Edge.Hub.Influx;

namespace Edge.Hub;

/// <summary>
/// Every log line of the hub, one <c>partial</c> per component so they merge into one class.
/// Event ids: 53000–53099 InfluxDB writer.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(53000, LogLevel.Information, "InfluxDB writer started: {Url} database {Database}, batches of up to {BatchSize} lines or {BatchInterval}")]
    public static partial void InfluxWriterStarted(ILogger logger, Uri url, string database, int batchSize, TimeSpan batchInterval);

    [LoggerMessage(53001, LogLevel.Information, "InfluxDB writer stopped; {Abandoned} lines not yet stored were abandoned (their senders were not acknowledged and will replay)")]
    public static partial void InfluxWriterStopped(ILogger logger, long abandoned);

    [LoggerMessage(53002, LogLevel.Warning, "InfluxDB write failed ({Reason}: {Message}); retry {Attempt} in {Delay}")]
    public static partial void InfluxTransientFailure(ILogger logger, string reason, string message, int attempt, TimeSpan delay);

    [LoggerMessage(53003, LogLevel.Error, "InfluxDB refuses the writer ({Alarm}, HTTP {Status}: {Message}); holding {Held} lines and retrying every {Interval}")]
    public static partial void InfluxWriterHeld(ILogger logger, InfluxAlarm alarm, int status, string message, long held, TimeSpan interval);

    [LoggerMessage(53004, LogLevel.Information, "InfluxDB writes succeed again after {Duration} {State}")]
    public static partial void InfluxWriterRecovered(ILogger logger, TimeSpan duration, InfluxWriterState state);

    [LoggerMessage(53005, LogLevel.Warning, "{Count} lines set aside as dead letters ({Reason}); first: {Line}")]
    public static partial void InfluxDeadLettered(ILogger logger, int count, string reason, string line);

    [LoggerMessage(53006, LogLevel.Debug, "Batch of {Lines} lines halved ({Reason})")]
    public static partial void InfluxBatchSplit(ILogger logger, int lines, string reason);

    [LoggerMessage(53007, LogLevel.Error, "The dead-letter sink failed to store {Count} letters; retrying in {Delay}")]
    public static partial void InfluxDeadLetterSinkFailed(ILogger logger, Exception exception, int count, TimeSpan delay);

    [LoggerMessage(53008, LogLevel.Error, "A handler of the InfluxDB writer's StatusChanged event threw")]
    public static partial void InfluxStatusHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(53009, LogLevel.Critical, "The InfluxDB writer failed and stopped; {Abandoned} lines were abandoned (not acknowledged, will replay)")]
    public static partial void InfluxWriterCrashed(ILogger logger, Exception exception, long abandoned);
}
