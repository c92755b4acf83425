using Edge.Outbox.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outbox;

/// <summary>
/// The gateway's durable outbox: every reading or scan it accepted is stored in SQLite (WAL, synchronous=FULL),
/// numbered with the gateway's next seq inside the committing transaction, and kept until the hub's end-to-end
/// acknowledgement covers it. Stores opaque items; knows nothing of MQTT or message types.
/// </summary>
/// <remarks>
/// Thread-safe: any number of producers may call <see cref="AppendAsync"/> at once; they share group commits.
/// Subscribe to the events before <see cref="OpenAsync"/> to hear about what was found at open. Events are raised on
/// thread-pool threads.
/// </remarks>
public sealed class Outbox : IAsyncDisposable
{
    private readonly OutboxOptions _options;
    private readonly ILogger _logger;
    private readonly OutboxWriter _writer;
    private int _state;

    /// <summary>Creates the outbox; nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">Storage settings, validated here.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="timeProvider">Clock for accepted-at times and file names; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public Outbox(OutboxOptions options, ILogger<Outbox>? logger = null, TimeProvider? timeProvider = null)
    {
        OutboxOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _writer = new OutboxWriter(options, _logger, timeProvider ?? TimeProvider.System, RaiseQuotaChanged, RaiseCorruptDatabaseMovedAside, RaiseCorruptDatabaseSalvaged);
    }

    /// <summary>The quota state changed (warning = the alarm; full = appends are refused; back to normal).</summary>
    public event EventHandler<OutboxQuotaEventArgs>? QuotaStateChanged;

    /// <summary>
    /// A corrupt database was found (at open or while running), moved aside and replaced by a fresh one, and what could
    /// be read of it was salvaged (<see cref="OutboxCorruptionEventArgs.Salvage"/>).
    /// </summary>
    public event EventHandler<OutboxCorruptionEventArgs>? CorruptDatabaseMovedAside;

    /// <summary>
    /// A corrupt file moved aside was salvaged (or the attempt failed and waits for the next open): raised for the file
    /// just moved, and at open for any file an earlier run moved aside but did not get to salvage.
    /// </summary>
    public event EventHandler<OutboxSalvageEventArgs>? CorruptDatabaseSalvaged;

    /// <summary>
    /// Judges each row a salvage reads back from a corrupt file before it is stored again (e.g. the payload parses);
    /// a row it refuses, or throws on, counts as unreadable and its seq is declared abandoned. Set before
    /// <see cref="OpenAsync"/>; called on the writer thread, so it must be quick and must not touch the outbox.
    /// </summary>
    public Func<OutboxEntry, bool>? SalvageFilter
    {
        get => _writer.SalvageFilter;
        set => _writer.SalvageFilter = value;
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _options.DatabasePath;

    /// <summary>The last seq committed (0 before the first item ever).</summary>
    public long LastSeq => _writer.LastSeq;

    /// <summary>The quota state, for the gateway's health report.</summary>
    public OutboxQuotaState QuotaState => _writer.QuotaState;

    /// <summary>A snapshot for the gateway's health report.</summary>
    public OutboxStatus Status => _writer.Status;

    /// <summary>Callback for the dispatcher: something was committed (appends or acknowledgements). Must not block.</summary>
    internal Action? Committed
    {
        get => _writer.Committed;
        set => _writer.Committed = value;
    }

    /// <summary>Callback for the dispatcher: a salvage stored items with seqs between these two (inclusive). Must not block.</summary>
    internal Action<long, long>? Salvaged
    {
        get => _writer.Salvaged;
        set => _writer.Salvaged = value;
    }

    /// <summary>Writer-thread signal after an acknowledgement renumbered items (see <see cref="OutboxWriter.Renumbered"/>).</summary>
    internal Action<long, long>? Renumbered
    {
        get => _writer.Renumbered;
        set => _writer.Renumbered = value;
    }

    /// <summary>
    /// Takes the lock file, opens the database (checking it and moving a corrupt one aside) and starts the writer.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting (the open itself runs to completion).</param>
    /// <returns>A task that completes when the outbox accepts appends.</returns>
    /// <exception cref="OutboxStorageException">The database cannot be opened or is held by another process.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The outbox was already opened.");
        }

        try
        {
            await Task.Run(_writer.Open, CancellationToken.None).WaitAsync(cancellationToken);
        }
        catch
        {
            Volatile.Write(ref _state, 0);
            throw;
        }

        Volatile.Write(ref _state, 2);
    }

    /// <summary>
    /// Stores <paramref name="item"/> durably and returns its seq. The task completes only after the commit holding
    /// the item returned (the WAL is fsynced): a returned seq survives a crash or power cut from then on.
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">
    /// Observed only while waiting for room in the queue (back-pressure). Once queued, the append completes with the
    /// commit's outcome: a reading must never be stored while its producer believes it was dropped.
    /// </param>
    /// <returns>The item's seq.</returns>
    /// <exception cref="OutboxFullException">No room (quota or disk): the item was NOT stored.</exception>
    /// <exception cref="OutboxStorageException">SQLite failed: the item was NOT stored.</exception>
    /// <exception cref="ObjectDisposedException">The outbox is closing.</exception>
    public ValueTask<long> AppendAsync(OutboxItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        ThrowIfNotOpen();
        return _writer.AppendAsync(item, cancellationToken);
    }

    /// <summary>Reads up to <paramref name="maxItems"/> stored items with seq above <paramref name="afterSeq"/>, in seq order.</summary>
    /// <param name="afterSeq">Exclusive lower bound.</param>
    /// <param name="maxItems">Most items returned.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The items.</returns>
    public Task<IReadOnlyList<OutboxEntry>> ReadAsync(long afterSeq, int maxItems, CancellationToken cancellationToken = default) =>
        ReadRangeAsync(afterSeq, long.MaxValue, maxItems, cancellationToken);

    /// <summary>
    /// The hub stored every seq ≤ <paramref name="storedThrough"/> and those in <paramref name="ranges"/>: deletes
    /// exactly those items (in the next group commit). Nothing else ever removes an item.
    /// </summary>
    /// <remarks>
    /// An acknowledgement naming a seq above <see cref="LastSeq"/> means this outbox's numbering went backwards
    /// (restored or replaced storage) and the hub holds other readings under the numbers its items carry. Then nothing
    /// is deleted: every item at or below the hub's highest seq is renumbered, in order, above all others, and is sent
    /// again (log 15020, <see cref="OutboxStatus.SeqRenumberings"/>).
    /// </remarks>
    /// <param name="storedThrough">The hub's watermark (0: none).</param>
    /// <param name="ranges">Stored seqs above the watermark, inclusive; may be null or empty.</param>
    /// <param name="cancellationToken">Stops waiting (the deletion still happens).</param>
    /// <returns>How many items were deleted.</returns>
    public Task<int> AcknowledgeAsync(long storedThrough, IReadOnlyList<OutboxSeqRange>? ranges, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(storedThrough);
        var copy = ranges is null ? [] : ranges.ToArray();
        foreach (var r in copy)
        {
            if (r.From < 1 || r.To < r.From)
            {
                throw new ArgumentException($"The range {r.From}..{r.To} is not a valid inclusive seq range.", nameof(ranges));
            }
        }

        ThrowIfNotOpen();
        return _writer.AcknowledgeAsync(storedThrough, copy).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Gives up items that can never be sent (e.g. a payload this build cannot decode although its checksum holds): in
    /// one commit, deletes those of <paramref name="seqs"/> still stored and stores a declaration item
    /// (<see cref="OutboxAbandonment"/>, reason <see cref="OutboxAbandonment.ReasonCorrupt"/>) naming exactly the seqs
    /// deleted, under a seq of its own. The declaration is delivered and acknowledged like any item, and the hub counts
    /// the seqs as possibly lost readings instead of waiting for them for ever.
    /// </summary>
    /// <remarks>
    /// Idempotent: a seq no longer stored (acknowledged, renumbered, or given up before) is left out, and when none is
    /// stored nothing is written. Seqs are never reused, so a seq names the item it was read with.
    /// </remarks>
    /// <param name="seqs">The items' seqs (at most <see cref="OutboxAbandonment.MaxRanges"/>).</param>
    /// <param name="note">For people: why they are given up (the declaration's note).</param>
    /// <param name="cancellationToken">Stops waiting (the commit still happens).</param>
    /// <returns>The declaration's seq and the seqs it names; null when none of them was stored any more.</returns>
    /// <exception cref="OutboxStorageException">SQLite failed: nothing was deleted or declared.</exception>
    public async Task<OutboxAbandonmentResult?> AbandonAsync(IReadOnlyCollection<long> seqs, string? note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count is 0 or > OutboxAbandonment.MaxRanges)
        {
            throw new ArgumentException($"Give up 1 to {OutboxAbandonment.MaxRanges} seqs at a time, not {seqs.Count}.", nameof(seqs));
        }

        if (seqs.Any(s => s < 1))
        {
            throw new ArgumentException("A seq is at least 1.", nameof(seqs));
        }

        ThrowIfNotOpen();
        var result = await _writer.AbandonAsync([.. seqs], note ?? string.Empty).WaitAsync(cancellationToken);
        if (result is not { } done)
        {
            return null;
        }

        _logger.ItemsAbandoned(string.Join(',', done.Removed), done.Seq, note ?? string.Empty);
        return new OutboxAbandonmentResult(done.Seq, done.Removed);
    }

    /// <summary>Closes cleanly: commits what is queued, checkpoints the WAL, closes the file and releases the lock.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        var previous = Interlocked.Exchange(ref _state, 3);
        if (previous == 2)
        {
            await _writer.StopAsync();
            _writer.Dispose();
        }
    }

    internal Task<IReadOnlyList<OutboxEntry>> ReadRangeAsync(long afterSeq, long beforeSeq, int maxItems, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItems);
        ThrowIfNotOpen();
        return _writer.ExecuteAsync<IReadOnlyList<OutboxEntry>>(isWrite: false, db => db.Read(afterSeq, beforeSeq, maxItems)).WaitAsync(cancellationToken);
    }

    /// <summary>Copies the WAL into the database now (tests and maintenance).</summary>
    internal Task<bool> CheckpointAsync() => _writer.ExecuteAsync(isWrite: false, db => db.Checkpoint());

    /// <summary>Drops SQLite's page cache so the next statement reads the file (tests that damage the file).</summary>
    internal Task<bool> DropPageCacheAsync() => _writer.ExecuteAsync(isWrite: false, db =>
    {
        db.ShrinkMemory();
        return true;
    });

    private void ThrowIfNotOpen()
    {
        switch (Volatile.Read(ref _state))
        {
            case 2:
                return;
            case 3:
                throw new ObjectDisposedException(nameof(Outbox));
            default:
                throw new InvalidOperationException("Call OpenAsync before using the outbox.");
        }
    }

    private void RaiseQuotaChanged(OutboxQuotaEventArgs args) => Raise(QuotaStateChanged, args);

    private void RaiseCorruptDatabaseMovedAside(OutboxCorruptionEventArgs args) => Raise(CorruptDatabaseMovedAside, args);

    private void RaiseCorruptDatabaseSalvaged(OutboxSalvageEventArgs args) => Raise(CorruptDatabaseSalvaged, args);

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        if (handler is null)
        {
            return;
        }

        // Never on the writer thread: a slow handler must not hold up commits.
        ThreadPool.QueueUserWorkItem(
            state =>
            {
                try
                {
                    state.handler(this, state.args);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _logger.EventHandlerFailed(ex);
                }
            },
            (handler, args),
            preferLocal: false);
    }
}
