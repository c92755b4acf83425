using Microsoft.Extensions.Logging;

namespace Edge.Outbox;

/// <summary>
/// Every log line of this assembly. Event ids: 7000–7099 storage (writer, quota, corruption, sequence file),
/// 7100–7199 dispatcher, 7200–7299 clock synchronization.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Outbox {Path} open: last seq {LastSeq}, {PendingItems} items pending, {UsedBytes} of {MaxBytes} bytes used")]
    internal static partial void Opened(this ILogger logger, string path, long lastSeq, long pendingItems, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Critical, Message = "Outbox database {Path} is corrupt ({Reason}); moved aside to {MovedTo}, NOT deleted. Items pending in it are no longer sent; a fresh database continues at seq {NextSeq}")]
    internal static partial void CorruptDatabaseMovedAside(this ILogger logger, string path, string reason, string movedTo, long nextSeq);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Outbox quota warning: {UsedBytes} of {MaxBytes} bytes used (warn level {WarnBytes}); the hub has not acknowledged enough to make room")]
    internal static partial void QuotaWarning(this ILogger logger, long usedBytes, long maxBytes, long warnBytes);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Outbox full ({Reason}): {UsedBytes} of {MaxBytes} bytes used; new readings are refused until the hub acknowledges")]
    internal static partial void QuotaFull(this ILogger logger, OutboxFullReason reason, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Outbox quota back to normal: {UsedBytes} of {MaxBytes} bytes used")]
    internal static partial void QuotaNormal(this ILogger logger, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Outbox refused {Count} appends ({Reason})")]
    internal static partial void AppendsRefused(this ILogger logger, int count, OutboxFullReason reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Error, Message = "Outbox write failed with SQLite code {Code} ({NativeMessage}); {Count} appends failed, nothing committed before is affected")]
    internal static partial void WriteFailed(this ILogger logger, int code, string nativeMessage, int count, Exception exception);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Outbox sequence side file {Path} is unreadable ('{Content}'); relying on the database alone")]
    internal static partial void SeqFileUnreadable(this ILogger logger, string path, string content);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "Outbox creates a fresh database {Path} and no sequence side file exists: seqs start at 1. If this gateway sent readings before, the hub will see seqs it already has")]
    internal static partial void FreshDatabaseWithoutSeqFile(this ILogger logger, string path);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "Outbox creates a fresh database {Path}; seqs continue above the side file's reservation at {NextSeq}")]
    internal static partial void FreshDatabaseContinuesSeq(this ILogger logger, string path, long nextSeq);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Debug, Message = "Outbox reserved seqs through {ReservedThrough}")]
    internal static partial void SeqReserved(this ILogger logger, long reservedThrough);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Information, Message = "Outbox closed: last seq {LastSeq}, {PendingItems} items pending, WAL checkpointed in {ElapsedMs} ms")]
    internal static partial void Closed(this ILogger logger, long lastSeq, long pendingItems, long elapsedMs);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Warning, Message = "Outbox WAL checkpoint at close failed; the WAL stays and is replayed at the next open")]
    internal static partial void CheckpointFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7013, Level = LogLevel.Critical, Message = "Outbox could not replace the corrupt database {Path}; appends fail until it can")]
    internal static partial void RecoveryFailed(this ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 7014, Level = LogLevel.Error, Message = "Outbox read failed with SQLite code {Code} ({NativeMessage})")]
    internal static partial void ReadFailed(this ILogger logger, int code, string nativeMessage, Exception exception);

    [LoggerMessage(EventId = 7015, Level = LogLevel.Error, Message = "An outbox event handler threw")]
    internal static partial void EventHandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Outbox dispatcher connected: seqs through {BacklogThrough} are backlog (replayed at {Rate}/s), seqs from {LiveFrom} are live")]
    internal static partial void Connected(this ILogger logger, long backlogThrough, double rate, long liveFrom);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Outbox dispatcher disconnected with {InFlight} items awaiting acknowledgement; they will be replayed")]
    internal static partial void Disconnected(this ILogger logger, int inFlight);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "Publishing {Count} outbox items (replay {Replay}) failed; retrying as replay after {Delay}")]
    internal static partial void PublishFailed(this ILogger logger, int count, bool replay, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "{Count} outbox items were not acknowledged within {Timeout} (first seq {FirstSeq}); they will be replayed")]
    internal static partial void AckTimedOut(this ILogger logger, int count, TimeSpan timeout, long firstSeq);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "Hub acknowledged through {StoredThrough} plus {RangeCount} ranges; {Deleted} items deleted")]
    internal static partial void Acknowledged(this ILogger logger, long storedThrough, int rangeCount, int deleted);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Error, Message = "Outbox dispatcher step failed; retrying after {Delay}")]
    internal static partial void PumpFailed(this ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 7200, Level = LogLevel.Warning, Message = "The kernel clock state could not be read; readings are flagged as not synchronized")]
    internal static partial void ClockStateUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Information, Message = "System clock synchronized: {Synchronized} (adjtimex state {State})")]
    internal static partial void ClockSyncChanged(this ILogger logger, bool synchronized, int state);
}
