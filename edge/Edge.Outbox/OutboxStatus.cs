namespace Edge.Outbox;

/// <summary>How close the outbox is to its disk quota.</summary>
public enum OutboxQuotaState
{
    /// <summary>Below <c>Outbox:WarnAtFraction</c> of the quota.</summary>
    Normal,

    /// <summary>At or above the warn level: the alarm is raised; appends are still accepted.</summary>
    Warning,

    /// <summary>At the quota, or the disk is full: appends are refused with <see cref="OutboxFullException"/>.</summary>
    Full,
}

/// <summary>A snapshot of the outbox for the gateway's health report.</summary>
public sealed record OutboxStatus
{
    /// <summary>The last sequence number committed (0 before the first item ever).</summary>
    public required long LastSeq { get; init; }

    /// <summary>Items stored and not yet acknowledged by the hub.</summary>
    public required long PendingItems { get; init; }

    /// <summary>Bytes in use: database pages holding data plus the WAL file.</summary>
    public required long UsedBytes { get; init; }

    /// <summary>The quota (<c>Outbox:MaxBytes</c>).</summary>
    public required long MaxBytes { get; init; }

    /// <summary>Normal, warning (alarm raised) or full (appends refused).</summary>
    public required OutboxQuotaState QuotaState { get; init; }

    /// <summary>Group commits since the outbox was opened.</summary>
    public required long Commits { get; init; }

    /// <summary>Items committed since the outbox was opened.</summary>
    public required long CommittedItems { get; init; }

    /// <summary>Average number of items per group commit since the outbox was opened.</summary>
    public double AverageBatchSize => Commits == 0 ? 0 : (double)CommittedItems / Commits;

    /// <summary>Appends refused (quota, disk full or storage error) since the outbox was opened.</summary>
    public required long RefusedAppends { get; init; }

    /// <summary>Corrupt database files moved aside since the outbox was opened (including at open).</summary>
    public required int CorruptFilesMovedAside { get; init; }
}

/// <summary>The quota state changed; raised on a thread-pool thread, never on the writer.</summary>
public sealed class OutboxQuotaEventArgs : EventArgs
{
    internal OutboxQuotaEventArgs(OutboxQuotaState previous, OutboxQuotaState current, long usedBytes, long maxBytes, OutboxFullReason? fullReason)
    {
        Previous = previous;
        Current = current;
        UsedBytes = usedBytes;
        MaxBytes = maxBytes;
        FullReason = fullReason;
    }

    /// <summary>The state before.</summary>
    public OutboxQuotaState Previous { get; }

    /// <summary>The state now.</summary>
    public OutboxQuotaState Current { get; }

    /// <summary>Bytes in use when the state changed.</summary>
    public long UsedBytes { get; }

    /// <summary>The quota.</summary>
    public long MaxBytes { get; }

    /// <summary>Why it is full, when <see cref="Current"/> is <see cref="OutboxQuotaState.Full"/>.</summary>
    public OutboxFullReason? FullReason { get; }
}

/// <summary>
/// A corrupt database file was moved aside and a fresh one created. The items that were pending in it are no longer
/// sent; they are still in the moved file for forensic recovery.
/// </summary>
public sealed class OutboxCorruptionEventArgs : EventArgs
{
    internal OutboxCorruptionEventArgs(string movedTo, string reason, bool detectedAtOpen, long? lastKnownSeq, long nextSeq)
    {
        MovedTo = movedTo;
        Reason = reason;
        DetectedAtOpen = detectedAtOpen;
        LastKnownSeq = lastKnownSeq;
        NextSeq = nextSeq;
    }

    /// <summary>Where the corrupt database now is (its -wal and -shm, if any, carry the same name plus suffix).</summary>
    public string MovedTo { get; }

    /// <summary>What was wrong (quick_check output or SQLite's error).</summary>
    public string Reason { get; }

    /// <summary>Found by the check at open (rather than by an error while running).</summary>
    public bool DetectedAtOpen { get; }

    /// <summary>The last seq the corrupt database had committed, when known (unknown when found at open).</summary>
    public long? LastKnownSeq { get; }

    /// <summary>
    /// The seq the fresh database gives next: above anything the hub may have seen (taken from the side file's
    /// reservation), so seqs between <see cref="LastKnownSeq"/> and this one are a gap that will never be sent.
    /// </summary>
    public long NextSeq { get; }
}
