namespace Edge.Outbox;

/// <summary>
/// The outbox could not store or read items. Carries SQLite's result code and text when the cause was SQLite.
/// Nothing that was already committed is lost when this is thrown.
/// </summary>
public class OutboxStorageException : IOException
{
    /// <summary>Creates an error with a default message.</summary>
    public OutboxStorageException()
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">What failed.</param>
    public OutboxStorageException(string message)
        : base(message)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public OutboxStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error from a native failure.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="nativeErrorCode">SQLite's (extended) result code, or errno for a file operation.</param>
    /// <param name="nativeMessage">The native text for <paramref name="nativeErrorCode"/>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public OutboxStorageException(string message, int nativeErrorCode, string nativeMessage, Exception? innerException)
        : base(message, innerException)
    {
        NativeErrorCode = nativeErrorCode;
        NativeMessage = nativeMessage;
    }

    /// <summary>SQLite's result code (e.g. 13 SQLITE_FULL), errno for a file operation, or 0.</summary>
    public int NativeErrorCode { get; }

    /// <summary>The native text for <see cref="NativeErrorCode"/>; empty when there is none.</summary>
    public string NativeMessage { get; }
}

/// <summary>Why an append was refused for lack of space.</summary>
public enum OutboxFullReason
{
    /// <summary>The configured quota (<c>Outbox:MaxBytes</c>) is used up.</summary>
    QuotaReached,

    /// <summary>The file system itself is full (SQLite reported SQLITE_FULL below the quota, or a write hit ENOSPC).</summary>
    DiskFull,
}

/// <summary>
/// An append was refused because there is no room: the reading was NOT accepted and has no sequence number. The
/// caller must keep it (or tell the operator); the outbox never deletes unacknowledged items to make room.
/// </summary>
public sealed class OutboxFullException : OutboxStorageException
{
    /// <summary>Creates an error with a default message.</summary>
    public OutboxFullException()
    {
    }

    /// <summary>Creates an error with a message.</summary>
    /// <param name="message">What failed.</param>
    public OutboxFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an error with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public OutboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a full error.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="reason">Quota or file system.</param>
    /// <param name="usedBytes">Bytes in use when it was refused.</param>
    /// <param name="maxBytes">The quota.</param>
    /// <param name="nativeErrorCode">SQLite's result code or errno; 0 for a quota refusal.</param>
    /// <param name="nativeMessage">The native text.</param>
    /// <param name="innerException">The cause, if any.</param>
    public OutboxFullException(string message, OutboxFullReason reason, long usedBytes, long maxBytes, int nativeErrorCode, string nativeMessage, Exception? innerException)
        : base(message, nativeErrorCode, nativeMessage, innerException)
    {
        Reason = reason;
        UsedBytes = usedBytes;
        MaxBytes = maxBytes;
    }

    /// <summary>Quota or file system.</summary>
    public OutboxFullReason Reason { get; }

    /// <summary>Bytes in use (database pages in use plus the WAL) when the append was refused.</summary>
    public long UsedBytes { get; }

    /// <summary>The configured quota.</summary>
    public long MaxBytes { get; }
}
