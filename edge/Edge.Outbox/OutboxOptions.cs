namespace Edge.Outbox;

/// <summary>The durable outbox's storage settings (configuration section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Outbox";

    /// <summary>
    /// Path of the SQLite database (e.g. <c>/var/lib/edge/outbox.db</c>). Beside it live <c>-wal</c>, <c>-shm</c>,
    /// <c>.seq</c> (sequence reservation) and <c>.lock</c>.
    /// </summary>
    public string DatabasePath { get; set; } = string.Empty;

    /// <summary>Quota for database pages in use plus the WAL, in bytes. At the quota new items are refused.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>Fraction of <see cref="MaxBytes"/> at which the quota alarm is raised.</summary>
    public double WarnAtFraction { get; set; } = 0.8;

    /// <summary>Most items one group commit takes (bounds a transaction's size and its latency).</summary>
    public int MaxBatchSize { get; set; } = 4096;

    /// <summary>Most appends waiting for the writer; further producers wait (back-pressure, bounded memory).</summary>
    public int MaxPendingAppends { get; set; } = 100_000;

    /// <summary>
    /// How many seqs each write of the side file reserves ahead. Larger: fewer fsyncs; the only cost is a bigger jump
    /// after a corrupt database was replaced.
    /// </summary>
    public int SeqReservationBlock { get; set; } = 65_536;

    /// <summary>Run <c>PRAGMA quick_check</c> at open (reads the whole file: seconds for a large backlog on an SD card).</summary>
    public bool QuickCheckOnOpen { get; set; } = true;
}
