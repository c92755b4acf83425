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

    /// <summary>
    /// Times since the outbox was opened that the hub acknowledged seqs this outbox never assigned, so that the items
    /// under those numbers were renumbered above them (its numbering had gone backwards: restored or replaced storage).
    /// Not 0 calls for a look.
    /// </summary>
    public long SeqRenumberings { get; init; }
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
/// A corrupt database file was moved aside and a fresh one created. What could still be read of the items pending in
/// it was salvaged into the fresh database with the original seqs (<see cref="Salvage"/>); the seqs that could not be
/// are declared abandoned to the hub by declaration items in the outbox. The moved file stays for forensics.
/// </summary>
public sealed class OutboxCorruptionEventArgs : EventArgs
{
    internal OutboxCorruptionEventArgs(string movedTo, string reason, bool detectedAtOpen, long? lastKnownSeq, long nextSeq, OutboxSalvageEventArgs salvage)
    {
        MovedTo = movedTo;
        Reason = reason;
        DetectedAtOpen = detectedAtOpen;
        LastKnownSeq = lastKnownSeq;
        NextSeq = nextSeq;
        Salvage = salvage;
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
    /// The first seq of the fresh database: above anything the hub may have seen (taken from the side file's
    /// reservation). The declaration items, if any, take the first seqs from here; appends follow them.
    /// </summary>
    public long NextSeq { get; }

    /// <summary>What the salvage of the moved file did.</summary>
    public OutboxSalvageEventArgs Salvage { get; }

    /// <summary>Items read back from the corrupt file and stored again with their original seqs.</summary>
    public long SalvagedItems => Salvage.SalvagedItems;

    /// <summary>Seqs in damaged parts of the corrupt file that could not be read (an upper bound on the items lost).</summary>
    public long UnreadableSeqs => Salvage.UnreadableSeqs;
}

/// <summary>
/// A corrupt file moved aside was salvaged: its readable items were stored again in the current database with their
/// original seqs, and the seqs it can no longer deliver were declared abandoned (declaration items of kind
/// <see cref="OutboxAbandonment.ItemKind"/>, each with its own seq), all in one transaction. Raised once per file: right
/// after the file was moved aside, or at a later open when a crash came between the move and the salvage.
/// </summary>
public sealed class OutboxSalvageEventArgs : EventArgs
{
    internal OutboxSalvageEventArgs(
        string sideFile,
        long salvagedItems,
        long unreadableSeqs,
        IReadOnlyList<OutboxSeqRange> lostRanges,
        IReadOnlyList<OutboxSeqRange> unassignedRanges,
        IReadOnlyList<long> declarationSeqs,
        string? error)
    {
        SideFile = sideFile;
        SalvagedItems = salvagedItems;
        UnreadableSeqs = unreadableSeqs;
        LostRanges = lostRanges;
        UnassignedRanges = unassignedRanges;
        DeclarationSeqs = declarationSeqs;
        Error = error;
    }

    /// <summary>The corrupt file (still on disk, never deleted).</summary>
    public string SideFile { get; }

    /// <summary>Items read back and stored again with their original seqs.</summary>
    public long SalvagedItems { get; }

    /// <summary>Seqs that fell in damaged parts of the file (or whose rows failed the checks), within the span that may have held items.</summary>
    public long UnreadableSeqs { get; }

    /// <summary>
    /// Seqs declared abandoned as possibly lost (<see cref="OutboxAbandonment.ReasonCorrupt"/>): every seq above the hub's last known
    /// watermark, up to the last one the file had assigned, that was not salvaged. The hub counts only those it has
    /// not stored, so seqs acknowledged through ranges are named here without harm.
    /// </summary>
    public IReadOnlyList<OutboxSeqRange> LostRanges { get; }

    /// <summary>Seqs declared abandoned as reserved but never assigned (<see cref="OutboxAbandonment.ReasonNeverAssigned"/>).</summary>
    public IReadOnlyList<OutboxSeqRange> UnassignedRanges { get; }

    /// <summary>The seqs of the declaration items stored for the hub.</summary>
    public IReadOnlyList<long> DeclarationSeqs { get; }

    /// <summary>How many seqs <see cref="LostRanges"/> names.</summary>
    public long LostSeqs => LostRanges.Sum(r => r.To - r.From + 1);

    /// <summary>Why the salvage failed (nothing of it was committed; it is tried again at the next open); null on success.</summary>
    public string? Error { get; }
}
