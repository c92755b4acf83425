using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Edge.Outbox.Internal;

/// <summary>
/// The single writer: one dedicated thread owns the SQLite connection and runs group commits. Producers queue
/// appends; the thread takes everything queued, commits it in one transaction (seqs assigned inside it) and only
/// then completes the producers' tasks. The next batch starts the moment the previous commit returned — no timer —
/// so a lone reading is committed at once and a burst shares one fsync.
/// </summary>
internal sealed partial class OutboxWriter : IDisposable
{
    private const int ENoSpc = 28;

    private readonly OutboxOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SequenceReservationFile _seqFile;
    private readonly Action<OutboxQuotaEventArgs> _quotaChanged;
    private readonly Action<OutboxCorruptionEventArgs> _corruptionFound;
    private readonly Action<OutboxSalvageEventArgs> _salvageDone;
    private readonly SemaphoreSlim _capacity;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _warnBytes;
    private readonly long _clearWarnBytes;

    private List<PendingAppend> _appends = [];
    private List<DbOperation> _operations = [];
    private List<PendingAppend> _spareAppends = [];
    private List<DbOperation> _spareOperations = [];
    private bool _writerWaiting;
    private bool _closing;

    // Owned by the writer thread (and by Open before the thread starts).
    private OutboxDatabase? _db;
    private FileStream? _lockFile;
    private long _reservedThrough;
    private long _deletedInTransaction;

    // Set by an acknowledgement that renumbered the rows in the open transaction: the new last seq, the hub's
    // watermark, the first new seq and how many rows moved. Only the writer thread touches it.
    private (long LastSeq, long StoredThrough, long From, int Moved)? _renumberedInTransaction;

    // The last seq a declaration took in the open transaction (0: none) and how many rows such operations inserted.
    private long _declaredThroughInTransaction;
    private long _insertedInTransaction;
    private bool _diskFull;

    // What append-only commits may have added since the quota was last measured (an upper bound), and when the next
    // measurement is due regardless (a TimeProvider timestamp).
    private long _unmeasuredGrowth;
    private long _measureDue;

    // The hub's watermark as far as this process has heard it: the lower bound of what a salvage may call lost.
    private long _ackedThrough;

    // Written by the writer thread, read by anyone.
    private long _lastSeq;
    private long _pendingItems;
    private long _usedBytes;
    private long _commits;
    private long _committedItems;
    private long _refusedAppends;
    private long _renumberings;
    private int _corruptFilesMovedAside;
    private int _quotaState;

    internal OutboxWriter(
        OutboxOptions options,
        ILogger logger,
        TimeProvider timeProvider,
        Action<OutboxQuotaEventArgs> quotaChanged,
        Action<OutboxCorruptionEventArgs> corruptionFound,
        Action<OutboxSalvageEventArgs> salvageDone)
    {
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _quotaChanged = quotaChanged;
        _corruptionFound = corruptionFound;
        _salvageDone = salvageDone;
        _seqFile = new SequenceReservationFile(options.DatabasePath + ".seq");
        _capacity = new SemaphoreSlim(options.MaxPendingAppends, options.MaxPendingAppends);
        _warnBytes = (long)(options.MaxBytes * options.WarnAtFraction);

        // Hysteresis: the alarm clears only 5 % of the quota below where it was raised, so it does not flap.
        _clearWarnBytes = _warnBytes - (options.MaxBytes / 20);
    }

    /// <summary>Called on the writer thread after every commit; must only signal (no blocking, no I/O).</summary>
    internal Action? Committed { get; set; }

    /// <summary>
    /// Called on the writer thread after a salvage stored items with seqs below the newest one (lowest, highest): they
    /// are backlog for a dispatcher that is already running. Must only signal.
    /// </summary>
    internal Action<long, long>? Salvaged { get; set; }

    /// <summary>
    /// Called on the writer thread after an acknowledgement named seqs this outbox never assigned and the items at or
    /// below them were moved above (the hub's watermark, the new last seq): whatever a dispatcher had in flight carries
    /// old numbers. Must only signal.
    /// </summary>
    internal Action<long, long>? Renumbered { get; set; }

    /// <summary>Asked on the writer thread for each row a salvage read back; false treats the row as unreadable.</summary>
    internal Func<OutboxEntry, bool>? SalvageFilter { get; set; }

    internal long LastSeq => Volatile.Read(ref _lastSeq);

    internal OutboxQuotaState QuotaState => (OutboxQuotaState)Volatile.Read(ref _quotaState);

    internal OutboxStatus Status => new()
    {
        LastSeq = Volatile.Read(ref _lastSeq),
        PendingItems = Volatile.Read(ref _pendingItems),
        UsedBytes = Volatile.Read(ref _usedBytes),
        MaxBytes = _options.MaxBytes,
        QuotaState = QuotaState,
        Commits = Volatile.Read(ref _commits),
        CommittedItems = Volatile.Read(ref _committedItems),
        RefusedAppends = Volatile.Read(ref _refusedAppends),
        CorruptFilesMovedAside = Volatile.Read(ref _corruptFilesMovedAside),
        SeqRenumberings = Volatile.Read(ref _renumberings),
    };

    /// <summary>Takes the lock file, opens (or recovers) the database and starts the writer thread.</summary>
    internal void Open()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath))!;
        Directory.CreateDirectory(directory);
        try
        {
            // FileShare.None takes an flock(LOCK_EX) on Unix: two processes handing out seqs from one file would
            // hand out the same seq twice. The kernel drops the lock when the process dies, even by SIGKILL.
            _lockFile = new FileStream(_options.DatabasePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new OutboxStorageException($"The outbox {_options.DatabasePath} is already open in another process (its .lock is held).", ex);
        }

        try
        {
            OpenDatabase(atOpen: true, lastKnownSeq: null, runtimeReason: null);
            MeasureQuota();
            _logger.Opened(_options.DatabasePath, _lastSeq, _pendingItems, _usedBytes, _options.MaxBytes);
        }
        catch
        {
            _db?.Dispose();
            _db = null;
            _lockFile.Dispose();
            throw;
        }

        var thread = new Thread(Run) { IsBackground = true, Name = "outbox-writer" };
        thread.Start();
    }

    internal ValueTask<long> AppendAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        if (_capacity.Wait(0, CancellationToken.None))
        {
            return new ValueTask<long>(Enqueue(item));
        }

        return AppendSlowAsync(item, cancellationToken);
    }

    internal Task<T> ExecuteAsync<T>(bool isWrite, Func<OutboxDatabase, T> work)
    {
        var operation = new DbOperation<T>(isWrite, work);
        bool wake;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closing, typeof(Outbox));
            _operations.Add(operation);
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        if (wake)
        {
            _wake.Release();
        }

        return operation.Task;
    }

    /// <summary>Deletes the acknowledged items inside the next group commit.</summary>
    internal Task<int> AcknowledgeAsync(long storedThrough, OutboxSeqRange[] ranges)
    {
        var hubHighest = ranges.Length == 0 ? storedThrough : Math.Max(storedThrough, ranges.Max(r => r.To));

        // Decided once per acknowledgement: a retry (after a rollback, or in the fresh database after a corruption was
        // found) must not take the salvaged rows, back under their old seqs below a higher floor, for acknowledged.
        var renumber = false;
        return ExecuteAsync(isWrite: true, db =>
        {
            if (renumber || hubHighest > (_renumberedInTransaction?.LastSeq ?? _lastSeq))
            {
                renumber = true;
                Renumber(db, storedThrough, hubHighest);
                return 0;
            }

            var deleted = 0;
            if (storedThrough >= 1)
            {
                deleted += db.DeleteRange(1, storedThrough);
            }

            foreach (var range in ranges)
            {
                if (range.To > storedThrough)
                {
                    deleted += db.DeleteRange(Math.Max(range.From, storedThrough + 1), range.To);
                }
            }

            if (storedThrough > _ackedThrough)
            {
                // True whether or not this transaction commits: the hub said so.
                _ackedThrough = storedThrough;
                db.SetAckedThrough(storedThrough);
            }

            _deletedInTransaction += deleted;
            return deleted;
        });
    }

    /// <summary>
    /// Deletes the rows of <paramref name="seqs"/> still here and, in the same transaction, stores one declaration
    /// (<see cref="OutboxAbandonment.ReasonCorrupt"/>) naming exactly those seqs, under the next seq.
    /// </summary>
    /// <returns>The declaration's seq and the seqs it names; null when none of the rows was here any more.</returns>
    internal Task<(long Seq, long[] Removed)?> AbandonAsync(long[] seqs, string note) => ExecuteAsync<(long, long[])?>(isWrite: true, db =>
    {
        // A seq names one row for good: seqs are never reused, and a renumbering moves rows above every seq there was,
        // so a row asked for that is gone now (acknowledged, renumbered, declared already) cannot be another's.
        var removed = new SeqRangeList();
        var seqsRemoved = new List<long>();
        foreach (var seq in seqs.Distinct().Order())
        {
            if (db.DeleteRange(seq, seq) == 1)
            {
                removed.Add(seq, seq);
                seqsRemoved.Add(seq);
            }
        }

        if (seqsRemoved.Count == 0)
        {
            return null;
        }

        var declaration = new OutboxAbandonment(OutboxAbandonment.ReasonCorrupt, [.. removed.Ranges], note);
        var declarationSeq = LastSeqInTransaction() + 1;
        EnsureReserved(declarationSeq);
        var now = _timeProvider.GetUtcNow();

        // The clock's state is not known here; the declaration's own time is not a reading's.
        db.Insert(declarationSeq, new OutboxItem(OutboxAbandonment.ItemKind, OutboxAbandonment.ItemDevice, now, clockSynced: false, declaration.Encode()), now.UtcTicks);
        db.SetLastSeq(declarationSeq);
        _declaredThroughInTransaction = declarationSeq;
        _insertedInTransaction++;
        _deletedInTransaction += seqsRemoved.Count;
        return (declarationSeq, seqsRemoved.ToArray());
    });

    /// <summary>The last seq handed out, counting what the write operations of the open transaction did so far.</summary>
    private long LastSeqInTransaction() =>
        Math.Max(Math.Max(_lastSeq, _renumberedInTransaction?.LastSeq ?? 0), _declaredThroughInTransaction);

    /// <summary>
    /// The hub has stored seqs above any this outbox assigned: its numbering went backwards (storage restored from a
    /// backup, a replaced or re-imaged card, a cloned gateway), and the hub would take the readings that reuse those
    /// seqs for ones it already has. Deleting them on its word would lose them, so nothing is deleted: every item at or
    /// below the hub's highest seq moves above everything, in order, and is sent again under its new number.
    /// </summary>
    private void Renumber(OutboxDatabase db, long storedThrough, long hubHighest)
    {
        // Every row at or below the hub's highest seq may carry a number the hub holds other data under; rows above it
        // (a salvage may have put some there) are left as they are. The moved rows keep their order and go above
        // everything: no new number meets an old one.
        var last = Math.Max(_renumberedInTransaction?.LastSeq ?? _lastSeq, db.ReadLastSeq());
        var (lowest, highest) = db.ReadSeqBounds(hubHighest);
        var top = Math.Max(last, hubHighest);
        var offset = lowest is { } low ? top - low + 1 : 0;
        var newLast = highest is { } high ? high + offset : top;

        // The side file first, as for any seq committed above its reservation.
        EnsureReserved(newLast);
        var moved = lowest is null ? 0 : db.Renumber(offset, hubHighest);
        db.SetLastSeq(newLast);

        // The hub's watermark, not its highest range: a corrupt file not yet salvaged may hold rows between the two.
        // The in-memory watermark follows only after the commit, so a salvage after a rollback still reads these rows.
        db.SetAckedThrough(Math.Max(_ackedThrough, storedThrough));
        _renumberedInTransaction = (newLast, storedThrough, lowest is null ? 0 : top + 1, moved + (_renumberedInTransaction?.Moved ?? 0));
    }

    /// <summary>Stops taking work, commits what is queued, checkpoints the WAL and closes the file.</summary>
    internal Task StopAsync()
    {
        bool wake;
        lock (_gate)
        {
            if (_closing)
            {
                return _stopped.Task;
            }

            _closing = true;
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        if (wake)
        {
            _wake.Release();
        }

        return _stopped.Task;
    }

    /// <summary>Releases the semaphores; only after <see cref="StopAsync"/> completed.</summary>
    public void Dispose()
    {
        _capacity.Dispose();
        _wake.Dispose();
        _lockFile?.Dispose();
    }

    private async ValueTask<long> AppendSlowAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        await _capacity.WaitAsync(cancellationToken);
        return await Enqueue(item);
    }

    private Task<long> Enqueue(OutboxItem item)
    {
        var pending = new PendingAppend(item);
        bool wake;
        lock (_gate)
        {
            if (_closing)
            {
                _capacity.Release();
                throw new ObjectDisposedException(nameof(Outbox), "The outbox is closing; the item was not accepted.");
            }

            _appends.Add(pending);
            wake = _writerWaiting;
            _writerWaiting = false;
        }

        if (wake)
        {
            _wake.Release();
        }

        return pending.Task;
    }

    private void Run()
    {
        while (true)
        {
            List<PendingAppend> appends;
            List<DbOperation> operations;
            lock (_gate)
            {
                if (_appends.Count == 0 && _operations.Count == 0)
                {
                    if (_closing)
                    {
                        break;
                    }

                    _writerWaiting = true;
                    appends = null!;
                    operations = null!;
                }
                else
                {
                    appends = _appends;
                    operations = _operations;
                    _appends = _spareAppends;
                    _operations = _spareOperations;
                }
            }

            if (appends is null)
            {
                _wake.Wait();
                continue;
            }

            try
            {
                ProcessAll(appends, operations);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug, not a storage fault: fail this batch loudly and keep serving; nothing was completed as
                // stored that was not committed, and the open transaction (if any) is rolled back.
                _db?.TryRollback();
                var error = new OutboxStorageException("The outbox writer failed unexpectedly.", ex);
                foreach (var a in appends)
                {
                    a.TrySetException(error);
                }

                foreach (var o in operations)
                {
                    o.Fail(error);
                }
            }
            finally
            {
                if (appends.Count > 0)
                {
                    _capacity.Release(appends.Count);
                }
            }

            appends.Clear();
            operations.Clear();
            _spareAppends = appends;
            _spareOperations = operations;
        }

        Close();
        _stopped.TrySetResult();
    }

    private void ProcessAll(List<PendingAppend> appends, List<DbOperation> operations)
    {
        var writes = new List<DbOperation>();
        var reads = new List<DbOperation>();
        foreach (var o in operations)
        {
            (o.IsWrite ? writes : reads).Add(o);
        }

        if (appends.Count <= _options.MaxBatchSize)
        {
            Commit(appends, writes);
        }
        else
        {
            for (var start = 0; start < appends.Count; start += _options.MaxBatchSize)
            {
                var chunk = appends.GetRange(start, Math.Min(_options.MaxBatchSize, appends.Count - start));
                Commit(chunk, start == 0 ? writes : []);
            }
        }

        foreach (var read in reads)
        {
            ExecuteRead(read);
        }
    }

    private void Commit(List<PendingAppend> appends, List<DbOperation> writes)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_db is null && !TryReopen(appends, writes))
            {
                return;
            }

            var accepted = appends;
            if (accepted.Count > 0 && Volatile.Read(ref _usedBytes) >= _options.MaxBytes)
            {
                Refuse(accepted, OutboxFullReason.QuotaReached, 0, string.Empty, null);
                accepted = [];
            }

            if (accepted.Count == 0 && writes.Count == 0)
            {
                return;
            }

            long seq = _lastSeq;
            try
            {
                if (accepted.Count > 0)
                {
                    EnsureReserved(_lastSeq + accepted.Count);
                }

                var db = _db!;
                _deletedInTransaction = 0;
                _renumberedInTransaction = null;
                _declaredThroughInTransaction = 0;
                _insertedInTransaction = 0;
                db.Begin();
                foreach (var w in writes)
                {
                    w.Execute(db);
                }

                // A renumbering or a declaration took seqs: the appends go above them.
                if (LastSeqInTransaction() is var afterWrites && afterWrites != seq)
                {
                    seq = afterWrites;
                    if (accepted.Count > 0)
                    {
                        EnsureReserved(seq + accepted.Count);
                    }
                }

                var acceptedTicks = _timeProvider.GetUtcNow().UtcTicks;
                foreach (var a in accepted)
                {
                    db.Insert(++seq, a.Item, acceptedTicks);
                    a.Seq = seq;
                }

                if (accepted.Count > 0)
                {
                    db.SetLastSeq(seq);
                }

                db.Commit();
            }
            catch (SqliteException ex)
            {
                _db?.TryRollback();
                if (OutboxDatabase.IsCorruption(ex, out var reason) && attempt == 0)
                {
                    // Nothing of this batch was committed; it goes into the fresh database with fresh seqs.
                    Recover(reason);
                    continue;
                }

                if ((ex.SqliteErrorCode & 0xFF) == OutboxDatabase.SqliteFull && accepted.Count > 0)
                {
                    var full = ClassifyFull(accepted);
                    Refuse(accepted, full, ex.SqliteErrorCode, ex.Message, ex);
                    if (full == OutboxFullReason.DiskFull)
                    {
                        _diskFull = true;
                    }

                    MeasureQuota();
                    if (writes.Count > 0)
                    {
                        // Acknowledgements free space: do not let the refused appends hold them back.
                        appends = [];
                        continue;
                    }

                    return;
                }

                _logger.WriteFailed(ex.SqliteErrorCode, ex.Message, accepted.Count, ex);
                Fail(accepted, writes, new OutboxStorageException($"SQLite error {ex.SqliteErrorCode}: {ex.Message}", ex.SqliteErrorCode, ex.Message, ex));
                return;
            }
            catch (IOException ex)
            {
                // Writing the sequence side file failed: before BEGIN, or (after a renumbering acknowledgement) inside
                // a transaction that must not commit without its reservation.
                _db?.TryRollback();
                var diskFull = (ex.HResult & 0xFFFF) == ENoSpc || ex is NativeIOException { NativeErrorCode: ENoSpc };
                if (diskFull && accepted.Count > 0)
                {
                    _diskFull = true;
                    Refuse(accepted, OutboxFullReason.DiskFull, ENoSpc, ex.Message, ex);
                    MeasureQuota();
                    if (writes.Count > 0)
                    {
                        appends = [];
                        continue;
                    }

                    return;
                }

                _logger.WriteFailed(ex.HResult, ex.Message, accepted.Count, ex);
                Fail(accepted, writes, new OutboxStorageException($"Reserving sequence numbers in {_seqFile.Path} failed: {ex.Message}", ex.HResult, ex.Message, ex));
                return;
            }

            // Durable now (WAL fsynced by COMMIT under synchronous=FULL): only from here on is anything reported.
            Volatile.Write(ref _lastSeq, seq);
            var renumbered = _renumberedInTransaction;
            _renumberedInTransaction = null;
            if (renumbered is { } done)
            {
                _ackedThrough = Math.Max(_ackedThrough, done.StoredThrough);
                Interlocked.Increment(ref _renumberings);
                _logger.SeqsRenumbered(done.Moved, done.From, done.LastSeq);
                Renumbered?.Invoke(done.StoredThrough, done.LastSeq);
            }

            Interlocked.Add(ref _pendingItems, accepted.Count + _insertedInTransaction - _deletedInTransaction);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _committedItems, accepted.Count);
            if (accepted.Count > 0)
            {
                _diskFull = false;
            }

            // Measure before completing anyone: a caller that awaited an append or an acknowledgement must see the
            // quota state that its own write produced.
            if (writes.Count > 0 || !CanSkipMeasuring(accepted))
            {
                // A renumbering rewrote the table into the WAL, as a large deletion does.
                MeasureQuota(afterDeletes: _deletedInTransaction > 0 || renumbered is not null);
            }
            foreach (var a in accepted)
            {
                a.TrySetResult(a.Seq);
            }

            foreach (var w in writes)
            {
                w.Complete();
            }

            Committed?.Invoke();
            return;
        }
    }

    private void ExecuteRead(DbOperation read)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_db is null && !TryReopen([], [read]))
            {
                return;
            }

            try
            {
                read.Execute(_db!);
                read.Complete();
                return;
            }
            catch (Exception ex) when (attempt == 0 && OutboxDatabase.IsCorruption(ex, out var reason))
            {
                // Damage SQLite reports, or a row that fails its checksum: moved aside, salvaged, read again once.
                Recover(reason);
            }
            catch (Exception ex) when (ex is SqliteException or CorruptDatabaseException)
            {
                var code = ex is SqliteException s ? s.SqliteErrorCode : OutboxDatabase.SqliteCorrupt;
                _logger.ReadFailed(code, ex.Message, ex);
                read.Fail(new OutboxStorageException($"SQLite error {code}: {ex.Message}", code, ex.Message, ex));
                return;
            }
        }
    }

    /// <summary>
    /// Whether an append-only commit may leave the quota unmeasured: only while the quota state is normal, the last
    /// measurement is under a second old, and even the most each commit since could have added keeps the total below
    /// the warning line, so no caller can miss a state change. Measuring costs two PRAGMA queries and a stat per
    /// commit, a fifth of a small commit's CPU on the writer thread.
    /// </summary>
    private bool CanSkipMeasuring(List<PendingAppend> accepted)
    {
        if (_db is not { } db || QuotaState != OutboxQuotaState.Normal || _timeProvider.GetTimestamp() >= _measureDue)
        {
            return false;
        }

        // Each row at most twice over (table page and WAL frame), plus the pages one commit rewrites whatever its size
        // (leaf, parents, meta row) again in the table and as WAL frames with their headers.
        long bound = 6 * (db.PageSize + 24);
        foreach (var a in accepted)
        {
            bound += 2 * (a.Item.Payload.Length + a.Item.Kind.Length + a.Item.DeviceId.Length + 48);
        }

        _unmeasuredGrowth += bound;
        return Volatile.Read(ref _usedBytes) + _unmeasuredGrowth < _warnBytes;
    }

    private OutboxFullReason ClassifyFull(List<PendingAppend> accepted)
    {
        // SQLITE_FULL comes from max_page_count (our quota) or from the file system. If the batch could not have
        // reached the page limit, the disk is what is full.
        long estimate = 0;
        foreach (var a in accepted)
        {
            estimate += a.Item.Payload.Length + a.Item.Kind.Length + a.Item.DeviceId.Length + 48;
        }

        var db = _db!;
        var limitBytes = db.MaxPageCount * db.PageSize;
        return Volatile.Read(ref _usedBytes) + (estimate * 2) + (4 * db.PageSize) >= limitBytes
            ? OutboxFullReason.QuotaReached
            : OutboxFullReason.DiskFull;
    }

    private void Refuse(List<PendingAppend> appends, OutboxFullReason reason, int nativeCode, string nativeMessage, Exception? cause)
    {
        var used = Volatile.Read(ref _usedBytes);
        var message = reason == OutboxFullReason.QuotaReached
            ? $"The outbox is full: {used} of {_options.MaxBytes} bytes (Outbox:MaxBytes) are used by readings the hub has not acknowledged. The reading was NOT stored."
            : $"The disk holding the outbox is full ({nativeMessage}). The reading was NOT stored.";
        var error = new OutboxFullException(message, reason, used, _options.MaxBytes, nativeCode, nativeMessage, cause);
        foreach (var a in appends)
        {
            a.TrySetException(error);
        }

        Interlocked.Add(ref _refusedAppends, appends.Count);
        _logger.AppendsRefused(appends.Count, reason);
    }

    private void Fail(List<PendingAppend> appends, List<DbOperation> writes, Exception error)
    {
        foreach (var a in appends)
        {
            a.TrySetException(error);
        }

        Interlocked.Add(ref _refusedAppends, appends.Count);
        foreach (var w in writes)
        {
            w.Fail(error);
        }
    }

    /// <summary>Raises the side file's reservation before any seq above it is committed.</summary>
    private void EnsureReserved(long highestSeqToCommit)
    {
        if (highestSeqToCommit <= _reservedThrough)
        {
            return;
        }

        var target = highestSeqToCommit + _options.SeqReservationBlock;
        _seqFile.Write(target);
        _reservedThrough = target;
        _logger.SeqReserved(target);
    }

    private void OpenDatabase(bool atOpen, long? lastKnownSeq, string? runtimeReason)
    {
        if (DatabaseQuarantine.CompleteInterruptedMove(_options.DatabasePath) is { } finished)
        {
            _logger.InterruptedMoveCompleted(_options.DatabasePath, finished);
        }

        var side = _seqFile.TryRead(out var unreadable);
        if (unreadable is not null)
        {
            _logger.SeqFileUnreadable(_seqFile.Path, unreadable);
        }

        _reservedThrough = Math.Max(_reservedThrough, side ?? 0);

        // Where a database created now starts: above the reservation, and above every corrupt file lying here (the
        // side file may be missing or behind; a run may have died between moving a file aside and creating the new
        // database). Only a created database uses it, so the files are read only when there is none; one moved aside
        // below is read there. The reservation itself stays what the side file says.
        var fresh = (Floor: _reservedThrough, From: (string?)null, FileHighest: 0L);
        if (!File.Exists(_options.DatabasePath))
        {
            foreach (var corrupt in CorruptFiles())
            {
                fresh = FloorAbove(corrupt, fresh);
            }
        }

        OutboxDatabase db;
        (string MovedTo, string Reason, long NextSeq)? moved = null;
        if (runtimeReason is not null)
        {
            moved = MoveAside(runtimeReason, lastKnownSeq, ref fresh);
            db = OutboxDatabase.Open(_options.DatabasePath, _options.MaxBytes, quickCheck: false, fresh.Floor, _ackedThrough);
        }
        else
        {
            try
            {
                db = OutboxDatabase.Open(_options.DatabasePath, _options.MaxBytes, _options.QuickCheckOnOpen, fresh.Floor, _ackedThrough);
            }
            catch (Exception ex) when (OutboxDatabase.IsCorruption(ex, out var reason))
            {
                moved = MoveAside(reason, lastKnownSeq, ref fresh);
                db = OutboxDatabase.Open(_options.DatabasePath, _options.MaxBytes, quickCheck: false, fresh.Floor, _ackedThrough);
            }
        }

        try
        {
            if (db.Created)
            {
                if (fresh.From is { } file)
                {
                    _logger.SeqFloorFromCorruptFile(file, fresh.FileHighest, _reservedThrough);
                }

                if (fresh.Floor == 0)
                {
                    _logger.FreshDatabaseWithoutSeqFile(_options.DatabasePath);
                }
                else
                {
                    _logger.FreshDatabaseContinuesSeq(_options.DatabasePath, fresh.Floor + 1);
                }
            }

            if (!db.Checksums)
            {
                _logger.ChecksumColumnPending(_options.DatabasePath);
            }

            var lastSeq = db.ReadLastSeq();
            var pending = db.CountItems();
            _ackedThrough = Math.Max(_ackedThrough, db.ReadMeta("acked_through") ?? 0);
            _db = db;
            Volatile.Write(ref _lastSeq, lastSeq);
            Volatile.Write(ref _pendingItems, pending);
            if (_reservedThrough < lastSeq)
            {
                // The side file was lost or is behind (restored from an old backup): bring it up to the database.
                EnsureReserved(lastSeq);
            }
        }
        catch (Exception ex) when (moved is null && OutboxDatabase.IsCorruption(ex, out var reason))
        {
            // The first full read (counting the rows) found damage that the open's checks did not look for
            // (QuickCheckOnOpen off): the same as finding it at open.
            _db = null;
            db.DisableCheckpointOnClose();
            db.Dispose();
            OpenDatabase(atOpen, lastKnownSeq, reason);
            return;
        }
        catch
        {
            _db = null;
            db.Dispose();
            throw;
        }

        // Every corrupt file not yet salvaged into this database: the one just moved aside, and any a crash left
        // between its move and its salvage.
        var salvages = SalvagePendingFiles(moved?.MovedTo, lastKnownSeq);
        if (moved is { } m)
        {
            var salvage = salvages.FirstOrDefault(x => Path.GetFileName(x.SideFile) == Path.GetFileName(m.MovedTo))
                ?? new OutboxSalvageEventArgs(m.MovedTo, 0, 0, [], [], [], "not salvaged");
            _corruptionFound(new OutboxCorruptionEventArgs(m.MovedTo, m.Reason, atOpen, lastKnownSeq, m.NextSeq, salvage));
        }
    }

    private (string MovedTo, string Reason, long NextSeq) MoveAside(string reason, long? lastKnownSeq, ref (long Floor, string? From, long FileHighest) fresh)
    {
        var movedTo = DatabaseQuarantine.MoveAside(_options.DatabasePath, _timeProvider.GetUtcNow());
        Interlocked.Increment(ref _corruptFilesMovedAside);
        fresh = FloorAbove(movedTo, fresh);

        var nextSeq = Math.Max(fresh.Floor, lastKnownSeq ?? 0) + 1;
        _logger.CorruptDatabaseMovedAside(_options.DatabasePath, reason, movedTo, nextSeq);
        return (movedTo, reason, nextSeq);
    }

    /// <summary>
    /// The floor a fresh database needs above <paramref name="corruptFile"/>: a reservation block above the highest
    /// seq the file still shows, as the side file would have been, since damage may hide the file's last rows. Without
    /// it a lost side file would make salvage (which reads a file only up to the next floor) bring back nothing and new
    /// readings reuse its seqs. Values beyond what a seq can be are damage, not a floor.
    /// </summary>
    private (long Floor, string? From, long FileHighest) FloorAbove(string corruptFile, (long Floor, string? From, long FileHighest) current)
    {
        using var file = CorruptFileReader.Open(corruptFile);
        return file.ReadHighestSeq() is { } highest && highest <= MaxSeq - _options.SeqReservationBlock
            && highest + _options.SeqReservationBlock > current.Floor
                ? (highest + _options.SeqReservationBlock, corruptFile, highest)
                : current;
    }

    /// <summary>SQLITE_CORRUPT or SQLITE_NOTADB while running: close, move aside, start a fresh database above the reservation.</summary>
    private void Recover(string reason)
    {
        var lastKnown = _lastSeq;
        if (_db is { } db)
        {
            db.DisableCheckpointOnClose();
            db.Dispose();
            _db = null;
        }

        // Every seq up to the reservation may have been committed and published; the fresh database starts above.
        _reservedThrough = Math.Max(_reservedThrough, lastKnown);
        try
        {
            OpenDatabase(atOpen: false, lastKnown, reason);
            MeasureQuota();
        }
        catch (Exception ex) when (ex is IOException or SqliteException or UnauthorizedAccessException or CorruptDatabaseException)
        {
            _logger.RecoveryFailed(_options.DatabasePath, ex);
            _db = null;
        }
    }

    /// <summary>The database could not be opened earlier: try again; on failure fail this batch.</summary>
    private bool TryReopen(List<PendingAppend> appends, List<DbOperation> operations)
    {
        try
        {
            OpenDatabase(atOpen: false, lastKnownSeq: _lastSeq, runtimeReason: null);
            MeasureQuota();
            return true;
        }
        catch (Exception ex) when (ex is IOException or SqliteException or UnauthorizedAccessException or CorruptDatabaseException)
        {
            _logger.RecoveryFailed(_options.DatabasePath, ex);
            Fail(appends, operations, new OutboxStorageException($"The outbox database {_options.DatabasePath} cannot be opened: {ex.Message}", ex));
            return false;
        }
    }

    private void MeasureQuota(bool afterDeletes = false)
    {
        if (_db is null)
        {
            return;
        }

        long used;
        try
        {
            used = _db.MeasureUsedBytes(out var walBytes);

            // SQLite reuses a WAL file without shrinking it, so after the hub acknowledged a large backlog the WAL alone
            // can keep the outbox at its quota. Truncate it after deletions, and only when it is a large share of the
            // quota, so the extra fsyncs stay rare and the alarm does not flicker while the outbox fills.
            if (afterDeletes && used >= _warnBytes && walBytes > _options.MaxBytes / 8 && _db.Checkpoint())
            {
                used = _db.MeasureUsedBytes();
            }
        }
        catch (SqliteException)
        {
            return;
        }

        Volatile.Write(ref _usedBytes, used);
        _unmeasuredGrowth = 0;
        _measureDue = _timeProvider.GetTimestamp() + _timeProvider.TimestampFrequency;
        var previous = QuotaState;
        OutboxQuotaState next;
        OutboxFullReason? reason = null;
        if (_diskFull)
        {
            next = OutboxQuotaState.Full;
            reason = OutboxFullReason.DiskFull;
        }
        else if (used >= _options.MaxBytes)
        {
            next = OutboxQuotaState.Full;
            reason = OutboxFullReason.QuotaReached;
        }
        else if (used >= _warnBytes || (previous != OutboxQuotaState.Normal && used >= _clearWarnBytes))
        {
            next = OutboxQuotaState.Warning;
        }
        else
        {
            next = OutboxQuotaState.Normal;
        }

        if (next == previous)
        {
            return;
        }

        Volatile.Write(ref _quotaState, (int)next);
        switch (next)
        {
            case OutboxQuotaState.Full:
                _logger.QuotaFull(reason!.Value, used, _options.MaxBytes);
                break;
            case OutboxQuotaState.Warning:
                _logger.QuotaWarning(used, _options.MaxBytes, _warnBytes);
                break;
            default:
                _logger.QuotaNormal(used, _options.MaxBytes);
                break;
        }

        _quotaChanged(new OutboxQuotaEventArgs(previous, next, used, _options.MaxBytes, reason));
    }

    private void Close()
    {
        var watch = Stopwatch.StartNew();
        if (_db is { } db)
        {
            try
            {
                // A reader in another process (a diagnostic sqlite3 shell) must not hold up shutdown for long.
                db.TryRollback();
                db.SetBusyTimeout(TimeSpan.FromMilliseconds(500));
                if (!db.Checkpoint())
                {
                    _logger.CheckpointFailed(new OutboxStorageException("wal_checkpoint(TRUNCATE) could not complete."));
                }
            }
            catch (SqliteException ex)
            {
                _logger.CheckpointFailed(ex);
            }

            db.Dispose();
            _db = null;
        }

        _lockFile?.Dispose();
        _logger.Closed(_lastSeq, _pendingItems, watch.ElapsedMilliseconds);
    }
}

/// <summary>One producer's append: completes with the seq only after the commit that holds it.</summary>
internal sealed class PendingAppend(OutboxItem item) : TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    internal OutboxItem Item { get; } = item;

    internal long Seq { get; set; }
}

/// <summary>Work for the writer thread other than appends: acknowledgements (inside the group commit) and reads.</summary>
internal abstract class DbOperation
{
    internal abstract bool IsWrite { get; }

    /// <summary>Runs the work; for a write, inside the open transaction. The result is published by <see cref="Complete"/>.</summary>
    internal abstract void Execute(OutboxDatabase db);

    internal abstract void Complete();

    internal abstract void Fail(Exception error);
}

internal sealed class DbOperation<T>(bool isWrite, Func<OutboxDatabase, T> work) : DbOperation
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;

    internal Task<T> Task => _completion.Task;

    internal override bool IsWrite => isWrite;

    internal override void Execute(OutboxDatabase db) => _result = work(db);

    internal override void Complete() => _completion.TrySetResult(_result!);

    internal override void Fail(Exception error) => _completion.TrySetException(error);
}
