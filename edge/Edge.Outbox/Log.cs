using Microsoft.Extensions.Logging;

namespace Edge.Outbox;

/// <summary>
/// Every log line of this assembly. Event ids: 15000–15099 storage (writer, quota, corruption, sequence file),
/// 15100–15199 dispatcher, 15200–15299 clock synchronization.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 15000, Level = LogLevel.Information, Message = "Outbox {Path} open: last seq {LastSeq}, {PendingItems} items pending, {UsedBytes} of {MaxBytes} bytes used")]
    internal static partial void Opened(this ILogger logger, string path, long lastSeq, long pendingItems, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 15001, Level = LogLevel.Critical, Message = "Outbox database {Path} is corrupt ({Reason}); moved aside to {MovedTo}, NOT deleted. A fresh database continues at seq {NextSeq}; what can still be read of the old one is salvaged into it")]
    internal static partial void CorruptDatabaseMovedAside(this ILogger logger, string path, string reason, string movedTo, long nextSeq);

    [LoggerMessage(EventId = 15002, Level = LogLevel.Warning, Message = "Outbox quota warning: {UsedBytes} of {MaxBytes} bytes used (warn level {WarnBytes}); the hub has not acknowledged enough to make room")]
    internal static partial void QuotaWarning(this ILogger logger, long usedBytes, long maxBytes, long warnBytes);

    [LoggerMessage(EventId = 15003, Level = LogLevel.Error, Message = "Outbox full ({Reason}): {UsedBytes} of {MaxBytes} bytes used; new readings are refused until the hub acknowledges")]
    internal static partial void QuotaFull(this ILogger logger, OutboxFullReason reason, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 15004, Level = LogLevel.Information, Message = "Outbox quota back to normal: {UsedBytes} of {MaxBytes} bytes used")]
    internal static partial void QuotaNormal(this ILogger logger, long usedBytes, long maxBytes);

    [LoggerMessage(EventId = 15005, Level = LogLevel.Warning, Message = "Outbox refused {Count} appends ({Reason})")]
    internal static partial void AppendsRefused(this ILogger logger, int count, OutboxFullReason reason);

    [LoggerMessage(EventId = 15006, Level = LogLevel.Error, Message = "Outbox write failed with SQLite code {Code} ({NativeMessage}); {Count} appends failed, nothing committed before is affected")]
    internal static partial void WriteFailed(this ILogger logger, int code, string nativeMessage, int count, Exception exception);

    [LoggerMessage(EventId = 15007, Level = LogLevel.Warning, Message = "Outbox sequence side file {Path} is unreadable ('{Content}'); relying on the database alone")]
    internal static partial void SeqFileUnreadable(this ILogger logger, string path, string content);

    [LoggerMessage(EventId = 15008, Level = LogLevel.Warning, Message = "Outbox creates a fresh database {Path} and no sequence side file exists: seqs start at 1. If this gateway sent readings before, the hub will see seqs it already has")]
    internal static partial void FreshDatabaseWithoutSeqFile(this ILogger logger, string path);

    [LoggerMessage(EventId = 15009, Level = LogLevel.Warning, Message = "Outbox creates a fresh database {Path}; seqs continue above the side file's reservation at {NextSeq}")]
    internal static partial void FreshDatabaseContinuesSeq(this ILogger logger, string path, long nextSeq);

    [LoggerMessage(EventId = 15010, Level = LogLevel.Debug, Message = "Outbox reserved seqs through {ReservedThrough}")]
    internal static partial void SeqReserved(this ILogger logger, long reservedThrough);

    [LoggerMessage(EventId = 15011, Level = LogLevel.Information, Message = "Outbox closed: last seq {LastSeq}, {PendingItems} items pending, WAL checkpointed in {ElapsedMs} ms")]
    internal static partial void Closed(this ILogger logger, long lastSeq, long pendingItems, long elapsedMs);

    [LoggerMessage(EventId = 15012, Level = LogLevel.Warning, Message = "Outbox WAL checkpoint at close failed; the WAL stays and is replayed at the next open")]
    internal static partial void CheckpointFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15013, Level = LogLevel.Critical, Message = "Outbox could not replace the corrupt database {Path}; appends fail until it can")]
    internal static partial void RecoveryFailed(this ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 15014, Level = LogLevel.Error, Message = "Outbox read failed with SQLite code {Code} ({NativeMessage})")]
    internal static partial void ReadFailed(this ILogger logger, int code, string nativeMessage, Exception exception);

    [LoggerMessage(EventId = 15015, Level = LogLevel.Error, Message = "An outbox event handler threw")]
    internal static partial void EventHandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15016, Level = LogLevel.Warning, Message = "Outbox salvaged {Salvaged} items from {SideFile} with their original seqs; no seq was lost; {Unassigned} seqs reserved but never assigned are declared abandoned to the hub (declaration seqs {Declarations})")]
    internal static partial void SalvagedWithoutLoss(this ILogger logger, long salvaged, string sideFile, long unassigned, string declarations);

    [LoggerMessage(EventId = 15017, Level = LogLevel.Error, Message = "Outbox salvaged {Salvaged} items from {SideFile} with their original seqs; {Unreadable} seqs could not be read. Seqs {Lost} ({LostCount}) are declared abandoned to the hub as possibly lost, {Unassigned} more as never assigned (declaration seqs {Declarations})")]
    internal static partial void SalvagedWithLoss(this ILogger logger, long salvaged, string sideFile, long unreadable, string lost, long lostCount, long unassigned, string declarations);

    [LoggerMessage(EventId = 15018, Level = LogLevel.Error, Message = "Outbox could not salvage the corrupt file {SideFile}; nothing of it was stored, it is tried again at the next open")]
    internal static partial void SalvageFailed(this ILogger logger, string sideFile, Exception exception);

    [LoggerMessage(EventId = 15019, Level = LogLevel.Warning, Message = "Outbox {Path} was written by an older build and the disk is too full to add row checksums to it; its rows are stored and sent without them until an open with free space adds them")]
    internal static partial void ChecksumColumnPending(this ILogger logger, string path);

    [LoggerMessage(EventId = 15020, Level = LogLevel.Error, Message = "The hub acknowledged seqs above any this outbox assigned: its numbering went backwards (storage restored from a backup, a replaced or re-imaged card, or a cloned gateway). Nothing was deleted; {Moved} unacknowledged items are renumbered from {From} (last seq now {LastSeq}) and sent again. Check that no other gateway uses this gateway's id")]
    internal static partial void SeqsRenumbered(this ILogger logger, int moved, long from, long lastSeq);

    [LoggerMessage(EventId = 15021, Level = LogLevel.Warning, Message = "The corrupt file {Path} shows seqs up to {FileHighest}, above the sequence side file's reservation {Reserved}: the fresh database starts a reservation block above the file")]
    internal static partial void SeqFloorFromCorruptFile(this ILogger logger, string path, long fileHighest, long reserved);

    [LoggerMessage(EventId = 15022, Level = LogLevel.Warning, Message = "Outbox gave up items {Seqs} that cannot be sent and declared them abandoned to the hub (declaration seq {DeclarationSeq}): {Note}")]
    internal static partial void ItemsAbandoned(this ILogger logger, string seqs, long declarationSeq, string note);

    [LoggerMessage(EventId = 15025, Level = LogLevel.Warning, Message = "A move of the corrupt database {Path} aside was cut short after its WAL had gone: the database now follows it to {MovedTo} and is salvaged from there")]
    internal static partial void InterruptedMoveCompleted(this ILogger logger, string path, string movedTo);

    [LoggerMessage(EventId = 15100, Level = LogLevel.Information, Message = "Outbox dispatcher connected: seqs through {BacklogThrough} are backlog (replayed at {Rate}/s), seqs from {LiveFrom} are live")]
    internal static partial void Connected(this ILogger logger, long backlogThrough, double rate, long liveFrom);

    [LoggerMessage(EventId = 15101, Level = LogLevel.Information, Message = "Outbox dispatcher disconnected with {InFlight} items awaiting acknowledgement; they will be replayed")]
    internal static partial void Disconnected(this ILogger logger, int inFlight);

    [LoggerMessage(EventId = 15102, Level = LogLevel.Warning, Message = "Publishing {Count} outbox items (replay {Replay}) failed; retrying as replay after {Delay}")]
    internal static partial void PublishFailed(this ILogger logger, int count, bool replay, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 15103, Level = LogLevel.Information, Message = "{Count} outbox items were not acknowledged within {Timeout} (lowest seq {FirstSeq}; at most one such line per timeout); they will be replayed")]
    internal static partial void AckTimedOut(this ILogger logger, long count, TimeSpan timeout, long firstSeq);

    [LoggerMessage(EventId = 15104, Level = LogLevel.Debug, Message = "Hub acknowledged through {StoredThrough} plus {RangeCount} ranges; {Deleted} items deleted")]
    internal static partial void Acknowledged(this ILogger logger, long storedThrough, int rangeCount, int deleted);

    [LoggerMessage(EventId = 15105, Level = LogLevel.Error, Message = "Outbox dispatcher step failed; retrying after {Delay}")]
    internal static partial void PumpFailed(this ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 15200, Level = LogLevel.Warning, Message = "The kernel clock state could not be read; readings are flagged as not synchronized")]
    internal static partial void ClockStateUnavailable(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 15201, Level = LogLevel.Information, Message = "System clock synchronized: {Synchronized} (adjtimex state {State})")]
    internal static partial void ClockSyncChanged(this ILogger logger, bool synchronized, int state);
}
