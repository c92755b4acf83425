using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Outbox.Internal;

/// <summary>
/// Salvage of corrupt files moved aside: their readable items go back into the current database with their original
/// seqs, and what they can no longer deliver is declared abandoned, so the hub's watermark can move on.
/// </summary>
/// <remarks>
/// One transaction per file holds the salvaged rows, the declaration items (with seqs of their own) and the row in
/// <c>outbox_salvage</c> that marks the file done. A crash anywhere before that commit leaves no trace, and the next
/// open salvages the file again from the start; after it, the file is never salvaged twice. So a declaration is
/// neither lost nor made twice, and a salvaged row keeps the one seq it always had.
/// </remarks>
internal sealed partial class OutboxWriter
{
    // The contract's largest seq (2^53 − 1): the scan bound when nothing better is known.
    private const long MaxSeq = 9_007_199_254_740_991;

    private List<OutboxSalvageEventArgs> SalvagePendingFiles(string? justMoved, long? lastKnownSeq)
    {
        var results = new List<OutboxSalvageEventArgs>();
        if (_db is not { } db)
        {
            return results;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath))!;
        List<string> files;
        try
        {
            files = CorruptFiles();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.SalvageFailed(directory, ex);
            return results;
        }

        var justMovedName = justMoved is null ? null : Path.GetFileName(justMoved);
        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i];
            var name = Path.GetFileName(path);
            bool done;
            try
            {
                done = db.IsSalvaged(name);
            }
            catch (SqliteException ex)
            {
                _logger.SalvageFailed(path, ex);
                break;
            }

            if (done)
            {
                continue;
            }

            OutboxSalvageEventArgs result;
            try
            {
                // Names carry the UTC time of the move, so the next file in order is the database that followed this
                // one: its floor is where this file's seqs end. The newest file is followed by the current database.
                var upper = i + 1 < files.Count ? FloorOf(files[i + 1]) : db.ReadMeta("floor");
                result = Salvage(db, path, name == justMovedName ? lastKnownSeq : null, upper);
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                db.TryRollback();
                _logger.SalvageFailed(path, ex);
                result = new OutboxSalvageEventArgs(path, 0, 0, [], [], [], ex.Message);
            }

            results.Add(result);
            _salvageDone(result);
        }

        return results;
    }

    /// <summary>The corrupt files moved aside next to the database, oldest first (their names carry the UTC time of the move).</summary>
    private List<string> CorruptFiles()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath))!;
        var prefix = Path.GetFileName(_options.DatabasePath) + ".corrupt-";
        return [.. Directory.EnumerateFiles(directory, prefix + "*").Where(IsDatabaseFile).Order(StringComparer.Ordinal)];
    }

    private static bool IsDatabaseFile(string path) =>
        !path.EndsWith("-wal", StringComparison.Ordinal) && !path.EndsWith("-shm", StringComparison.Ordinal) && !path.EndsWith("-journal", StringComparison.Ordinal);

    private static long? FloorOf(string path)
    {
        using var file = CorruptFileReader.Open(path);
        return file.ReadMeta("floor");
    }

    private static string Summarize(List<OutboxSeqRange> ranges)
    {
        const int Shown = 10;
        return ranges.Count <= Shown
            ? OutboxAbandonment.Format(ranges)
            : string.Create(CultureInfo.InvariantCulture, $"{OutboxAbandonment.Format(ranges.Take(Shown))},… ({ranges.Count} ranges)");
    }

    /// <param name="db">The current database.</param>
    /// <param name="path">The corrupt file.</param>
    /// <param name="exactLastSeq">The last seq the file committed, when this process knows it (corruption found while running).</param>
    /// <param name="upper">The floor of the database that followed the file: no seq of the file lies above it; null when unknown.</param>
    private OutboxSalvageEventArgs Salvage(OutboxDatabase db, string path, long? exactLastSeq, long? upper)
    {
        var name = Path.GetFileName(path);
        using var file = CorruptFileReader.Open(path);
        var fileAcked = file.ReadMeta("acked_through");
        var fileLast = file.ReadMeta("last_seq");

        // Seqs at or below the hub's watermark are stored at the hub: neither salvaged nor declared.
        var low = Math.Max(_ackedThrough, fileAcked ?? 0) + 1;
        var present = new SeqRangeList();
        var damaged = new SeqRangeList();
        long salvaged = 0, lowest = long.MaxValue, highest = 0, highestRead = 0;
        var filter = SalvageFilter;
        var now = _timeProvider.GetUtcNow();
        var seq = _lastSeq;
        var declarationSeqs = new List<long>();
        List<OutboxSeqRange> lost;
        List<OutboxSeqRange> unassigned;
        long unreadableSeqs;

        db.Begin();
        try
        {
            file.Scan(
                low - 1,
                upper ?? fileLast ?? MaxSeq,
                entry =>
                {
                    highestRead = Math.Max(highestRead, entry.Seq);
                    if (!Accept(filter, entry))
                    {
                        damaged.Add(entry.Seq, entry.Seq);
                        return;
                    }

                    if (db.InsertSalvaged(entry))
                    {
                        salvaged++;
                        lowest = Math.Min(lowest, entry.Seq);
                        highest = Math.Max(highest, entry.Seq);
                    }

                    // Inserted now or already here: either way it will be sent, so it is not declared.
                    present.Add(entry.Seq, entry.Seq);
                },
                damaged.Add);

            // The last seq the file had handed out: exact when this process saw it fail; otherwise its own counter if
            // that is readable; otherwise everything up to the next floor may have been used (nothing is "never
            // assigned" then), and without a floor only what was read is known.
            var lastAssigned = exactLastSeq ?? (fileLast is { } l ? Math.Max(l, highestRead) : upper ?? highestRead);
            var lostHigh = upper is { } u ? Math.Min(lastAssigned, u) : lastAssigned;
            lost = present.ComplementWithin(low, lostHigh);
            unassigned = upper is { } top && lastAssigned < top ? [new OutboxSeqRange(Math.Max(lastAssigned, 0) + 1, top)] : [];
            unreadableSeqs = damaged.CountWithin(low, lostHigh);

            var declarations = new List<OutboxAbandonment>();
            var lostNote = string.Create(CultureInfo.InvariantCulture, $"{name}: {salvaged} items salvaged with their seqs, {unreadableSeqs} seqs unreadable");
            foreach (var chunk in lost.Chunk(OutboxAbandonment.MaxRanges))
            {
                declarations.Add(new OutboxAbandonment(OutboxAbandonment.ReasonCorrupt, chunk, lostNote));
            }

            if (unassigned.Count > 0)
            {
                declarations.Add(new OutboxAbandonment(OutboxAbandonment.ReasonNeverAssigned, unassigned, $"{name}: reserved ahead by the sequence side file, never assigned"));
            }

            if (declarations.Count > 0)
            {
                EnsureReserved(seq + declarations.Count);
                foreach (var declaration in declarations)
                {
                    // The clock's state is not known here; the declaration's own time is not a reading's.
                    db.Insert(++seq, new OutboxItem(OutboxAbandonment.ItemKind, OutboxAbandonment.ItemDevice, now, clockSynced: false, declaration.Encode()), now.UtcTicks);
                    declarationSeqs.Add(seq);
                }

                db.SetLastSeq(seq);
            }

            var record = string.Create(CultureInfo.InvariantCulture, $"lost {OutboxAbandonment.Format(lost)}; never-assigned {OutboxAbandonment.Format(unassigned)}; declarations {string.Join(',', declarationSeqs)}");
            db.RecordSalvage(name, salvaged, unreadableSeqs, record, now.UtcTicks);
            db.Commit();
        }
        catch
        {
            db.TryRollback();
            throw;
        }

        Volatile.Write(ref _lastSeq, seq);
        Interlocked.Add(ref _pendingItems, salvaged + declarationSeqs.Count);
        MeasureQuota();
        if (salvaged > 0)
        {
            Salvaged?.Invoke(lowest, highest);
        }

        Committed?.Invoke();

        var result = new OutboxSalvageEventArgs(path, salvaged, unreadableSeqs, lost, unassigned, declarationSeqs, null);
        var unassignedCount = unassigned.Sum(r => r.To - r.From + 1);
        var seqs = string.Join(',', declarationSeqs);
        if (lost.Count > 0)
        {
            _logger.SalvagedWithLoss(salvaged, path, unreadableSeqs, Summarize(lost), result.LostSeqs, unassignedCount, seqs);
        }
        else
        {
            _logger.SalvagedWithoutLoss(salvaged, path, unassignedCount, seqs);
        }

        return result;
    }

    private static bool Accept(Func<OutboxEntry, bool>? filter, OutboxEntry entry)
    {
        if (filter is null)
        {
            return true;
        }

        try
        {
            return filter(entry);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A filter that cannot judge a row has judged it: garbage that breaks a parser is not a reading.
            return false;
        }
    }
}
