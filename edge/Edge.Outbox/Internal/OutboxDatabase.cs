using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Outbox.Internal;

/// <summary>
/// The SQLite file and every SQL statement of the outbox. Used only by the writer thread (a SQLite connection is
/// not thread-safe), so nothing here locks. Statements are prepared once and reused.
/// </summary>
/// <remarks>
/// Schema: <c>outbox_item(seq INTEGER PRIMARY KEY, …)</c> — seq is the rowid, so appends go to the right edge of
/// one B-tree and a watermark delete is a range delete. <c>outbox_meta('last_seq')</c> is the sequence counter,
/// updated in the same transaction as the inserts, so deleting every item never lowers it. <c>crc</c> is the row's
/// <see cref="RowChecksum"/>; it is null in rows an older build wrote, which are read unchecked as before.
/// </remarks>
internal sealed class OutboxDatabase : IDisposable
{
    /// <summary>"EDOB" in PRAGMA application_id marks the file as an outbox (and anything else as foreign).</summary>
    internal const int ApplicationId = 0x45444F42;

    internal const int SchemaVersion = 1;

    internal const int SqliteCorrupt = 11;
    internal const int SqliteFull = 13;
    internal const int SqliteNotADatabase = 26;

    /// <summary>Upper bound of the WAL size kept after a checkpoint (SQLite's default auto-checkpoint is ~4 MiB).</summary>
    private const long MaxJournalSizeLimitBytes = 4 * 1024 * 1024;

    // One row per corrupt file salvaged into this database, written in the salvage's own transaction: a crash before
    // it commits leaves the file unlisted, and the next open salvages it again from the start.
    private const string SalvageTableSql = """
        CREATE TABLE IF NOT EXISTS outbox_salvage (
            side_file TEXT NOT NULL PRIMARY KEY,
            salvaged INTEGER NOT NULL,
            unreadable_seqs INTEGER NOT NULL,
            declarations TEXT NOT NULL,
            at_ticks INTEGER NOT NULL) WITHOUT ROWID
        """;

    private readonly SqliteConnection _connection;
    private readonly string _walPath;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _insertSeq;
    private readonly SqliteParameter _insertKind;
    private readonly SqliteParameter _insertDevice;
    private readonly SqliteParameter _insertTs;
    private readonly SqliteParameter _insertSynced;
    private readonly SqliteParameter _insertAccepted;
    private readonly SqliteParameter _insertPayload;
    private readonly SqliteParameter _insertCrc;
    private readonly SqliteCommand _setLastSeq;
    private readonly SqliteParameter _setLastSeqValue;
    private readonly SqliteCommand _deleteRange;
    private readonly SqliteParameter _deleteFrom;
    private readonly SqliteParameter _deleteTo;
    private readonly SqliteCommand _read;
    private readonly SqliteParameter _readAfter;
    private readonly SqliteParameter _readBefore;
    private readonly SqliteParameter _readLimit;
    private readonly SqliteCommand _pageCount;
    private readonly SqliteCommand _freelistCount;
    private readonly SqliteCommand _setAckedThrough;
    private readonly SqliteParameter _setAckedThroughValue;
    private readonly SqliteCommand _insertSalvaged;
    private readonly SqliteParameter[] _insertSalvagedValues;

    private OutboxDatabase(SqliteConnection connection, string path, bool created, long pageSize, long maxPageCount, bool checksums)
    {
        _connection = connection;
        Path = path;
        Checksums = checksums;
        Created = created;
        PageSize = pageSize;
        MaxPageCount = maxPageCount;
        _walPath = path + "-wal";

        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");

        _insert = connection.CreateCommand();
        var crcColumn = checksums ? ", crc" : string.Empty;
        var crcValue = checksums ? ", $crc" : string.Empty;
        _insert.CommandText = $"INSERT INTO outbox_item (seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, payload{crcColumn}) VALUES ($seq, $kind, $device, $ts, $synced, $accepted, $payload{crcValue})";
        _insertSeq = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _insertKind = _insert.Parameters.Add("$kind", SqliteType.Text);
        _insertDevice = _insert.Parameters.Add("$device", SqliteType.Text);
        _insertTs = _insert.Parameters.Add("$ts", SqliteType.Integer);
        _insertSynced = _insert.Parameters.Add("$synced", SqliteType.Integer);
        _insertAccepted = _insert.Parameters.Add("$accepted", SqliteType.Integer);
        _insertPayload = _insert.Parameters.Add("$payload", SqliteType.Blob);
        _insertCrc = new SqliteParameter("$crc", SqliteType.Integer);
        if (checksums)
        {
            _insert.Parameters.Add(_insertCrc);
        }

        _insert.Prepare();

        _setLastSeq = connection.CreateCommand();
        _setLastSeq.CommandText = "UPDATE outbox_meta SET value = $v WHERE key = 'last_seq'";
        _setLastSeqValue = _setLastSeq.Parameters.Add("$v", SqliteType.Integer);
        _setLastSeq.Prepare();

        _deleteRange = connection.CreateCommand();
        _deleteRange.CommandText = "DELETE FROM outbox_item WHERE seq BETWEEN $from AND $to";
        _deleteFrom = _deleteRange.Parameters.Add("$from", SqliteType.Integer);
        _deleteTo = _deleteRange.Parameters.Add("$to", SqliteType.Integer);
        _deleteRange.Prepare();

        _read = connection.CreateCommand();
        _read.CommandText = $"SELECT seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, payload, {(checksums ? "crc" : "NULL")} FROM outbox_item WHERE seq > $after AND seq < $before ORDER BY seq LIMIT $limit";
        _readAfter = _read.Parameters.Add("$after", SqliteType.Integer);
        _readBefore = _read.Parameters.Add("$before", SqliteType.Integer);
        _readLimit = _read.Parameters.Add("$limit", SqliteType.Integer);
        _read.Prepare();

        _pageCount = Prepare("PRAGMA page_count");
        _freelistCount = Prepare("PRAGMA freelist_count");

        // The hub's watermark, kept beside the items so that a later salvage of this file knows which seqs are
        // stored for sure. max(): an acknowledgement never lowers it.
        _setAckedThrough = connection.CreateCommand();
        _setAckedThrough.CommandText = "INSERT INTO outbox_meta (key, value) VALUES ('acked_through', $v) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)";
        _setAckedThroughValue = _setAckedThrough.Parameters.Add("$v", SqliteType.Integer);
        _setAckedThrough.Prepare();

        // A salvaged row keeps its seq; OR IGNORE leaves a seq the fresh database already holds as it is.
        _insertSalvaged = connection.CreateCommand();
        _insertSalvaged.CommandText = $"INSERT OR IGNORE INTO outbox_item (seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, payload{crcColumn}) VALUES ($seq, $kind, $device, $ts, $synced, $accepted, $payload{crcValue})";
        _insertSalvagedValues =
        [
            _insertSalvaged.Parameters.Add("$seq", SqliteType.Integer),
            _insertSalvaged.Parameters.Add("$kind", SqliteType.Text),
            _insertSalvaged.Parameters.Add("$device", SqliteType.Text),
            _insertSalvaged.Parameters.Add("$ts", SqliteType.Integer),
            _insertSalvaged.Parameters.Add("$synced", SqliteType.Integer),
            _insertSalvaged.Parameters.Add("$accepted", SqliteType.Integer),
            _insertSalvaged.Parameters.Add("$payload", SqliteType.Blob),
        ];
        if (checksums)
        {
            _insertSalvagedValues = [.. _insertSalvagedValues, _insertSalvaged.Parameters.Add("$crc", SqliteType.Integer)];
        }

        _insertSalvaged.Prepare();
    }

    internal string Path { get; }

    /// <summary>
    /// Whether rows get a checksum. False only for a file from before the column existed that could not be given it at
    /// this open (the disk was full); its rows are written and read unchecked, as that older build did, until an open
    /// with space adds the column.
    /// </summary>
    internal bool Checksums { get; }

    /// <summary>Whether <see cref="Open"/> created the schema (a new or empty file).</summary>
    internal bool Created { get; }

    internal long PageSize { get; }

    /// <summary>The hard page limit derived from the quota: SQLite itself returns SQLITE_FULL beyond it.</summary>
    internal long MaxPageCount { get; }

    /// <summary>
    /// Opens (or creates) the database in WAL mode with synchronous=FULL. Throws <see cref="CorruptDatabaseException"/>
    /// or a <see cref="SqliteException"/> with SQLITE_CORRUPT/SQLITE_NOTADB when the file is damaged or foreign.
    /// </summary>
    /// <param name="path">The database file.</param>
    /// <param name="maxBytes">The quota; becomes PRAGMA max_page_count as a hard stop.</param>
    /// <param name="quickCheck">Run PRAGMA quick_check on an existing file.</param>
    /// <param name="seqFloorForNew">last_seq of a newly created database (the side file's reservation).</param>
    /// <param name="ackedThroughForNew">The hub's watermark as far as known, recorded in a newly created database.</param>
    internal static OutboxDatabase Open(string path, long maxBytes, bool quickCheck, long seqFloorForNew, long ackedThroughForNew = 0)
    {
        var existed = File.Exists(path) && new FileInfo(path).Length > 0;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,

            // Closing must really close the file: a corrupt file is renamed right after, and the .lock protocol
            // assumes no handle outlives the outbox.
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000");
            var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode = WAL"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new OutboxStorageException($"SQLite refused WAL mode for {path} (journal_mode is '{mode}').");
            }

            // FULL: the WAL is fsynced at every commit, so a commit that returned survives a power cut.
            Execute(connection, "PRAGMA synchronous = FULL");
            if (existed && quickCheck)
            {
                var check = Convert.ToString(Scalar(connection, "PRAGMA quick_check(20)"), CultureInfo.InvariantCulture);
                if (!string.Equals(check, "ok", StringComparison.Ordinal))
                {
                    throw new CorruptDatabaseException($"quick_check: {check}");
                }
            }

            var applicationId = Convert.ToInt64(Scalar(connection, "PRAGMA application_id"), CultureInfo.InvariantCulture);
            var tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema"), CultureInfo.InvariantCulture);
            if (applicationId != ApplicationId && (applicationId != 0 || tables != 0))
            {
                throw new CorruptDatabaseException($"not an outbox database (application_id {applicationId}, {tables} schema objects)");
            }

            var created = tables == 0;
            var checksums = true;
            if (created)
            {
                CreateSchema(connection, seqFloorForNew, ackedThroughForNew);
            }
            else
            {
                var version = Convert.ToInt64(Scalar(connection, "SELECT value FROM outbox_meta WHERE key = 'schema_version'"), CultureInfo.InvariantCulture);
                if (version > SchemaVersion)
                {
                    // Newer software wrote it: not corrupt, and must not be moved aside by older software.
                    throw new OutboxStorageException($"{path} has outbox schema version {version}; this build understands up to {SchemaVersion}.");
                }

                // Added without a version bump: older builds ignore a table they do not know, and name the columns they
                // insert and select, so a column they do not know stays null in their rows.
                Execute(connection, SalvageTableSql);
                checksums = HasChecksumColumn(connection) || TryAddChecksumColumn(connection);
            }

            // The WAL counts against the quota, so it is kept to about 1/16 of it: checkpoint after that many pages,
            // and truncate the file back to that size after each checkpoint (it would otherwise keep its peak size).
            var pageSize = Convert.ToInt64(Scalar(connection, "PRAGMA page_size"), CultureInfo.InvariantCulture);
            var walBudget = Math.Clamp(maxBytes / 16, 16 * pageSize, MaxJournalSizeLimitBytes);
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA journal_size_limit = {walBudget}"));
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA wal_autocheckpoint = {walBudget / pageSize}"));
            var maxPages = Math.Max(16, maxBytes / pageSize);
            var applied = Convert.ToInt64(Scalar(connection, $"PRAGMA max_page_count = {maxPages}"), CultureInfo.InvariantCulture);
            return new OutboxDatabase(connection, path, created, pageSize, applied, checksums);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal static bool IsCorruption(Exception exception, out string reason)
    {
        switch (exception)
        {
            case CorruptDatabaseException c:
                reason = c.Message;
                return true;
            case SqliteException s when (s.SqliteErrorCode & 0xFF) is SqliteCorrupt or SqliteNotADatabase:
                reason = string.Create(CultureInfo.InvariantCulture, $"SQLite error {s.SqliteExtendedErrorCode}: {s.Message}");
                return true;
            default:
                reason = string.Empty;
                return false;
        }
    }

    internal long ReadLastSeq()
    {
        var meta = Convert.ToInt64(Scalar(_connection, "SELECT value FROM outbox_meta WHERE key = 'last_seq'"), CultureInfo.InvariantCulture);
        var max = Scalar(_connection, "SELECT max(seq) FROM outbox_item");

        // The meta row is written in the same transaction as the rows, so it is never below max(seq); taking the
        // larger is only a guard against a hand-edited file.
        return max is long m && m > meta ? m : meta;
    }

    internal long CountItems() => Convert.ToInt64(Scalar(_connection, "SELECT count(*) FROM outbox_item"), CultureInfo.InvariantCulture);

    /// <summary>A value of <c>outbox_meta</c>, or null when the key is absent (e.g. 'floor' in a file an older build created).</summary>
    internal long? ReadMeta(string key)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT value FROM outbox_meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() is long value ? value : null;
    }

    /// <summary>Records the hub's watermark (inside the acknowledgement's transaction).</summary>
    internal void SetAckedThrough(long storedThrough)
    {
        _setAckedThroughValue.Value = storedThrough;
        _setAckedThrough.ExecuteNonQuery();
    }

    /// <summary>Inserts a row read from a corrupt file with its original seq; false when the seq is already here.</summary>
    internal bool InsertSalvaged(OutboxEntry entry)
    {
        _insertSalvagedValues[0].Value = entry.Seq;
        _insertSalvagedValues[1].Value = entry.Kind;
        _insertSalvagedValues[2].Value = entry.DeviceId;
        _insertSalvagedValues[3].Value = entry.Timestamp.UtcTicks;
        _insertSalvagedValues[4].Value = entry.ClockSynced ? 1L : 0L;
        _insertSalvagedValues[5].Value = entry.AcceptedAt.UtcTicks;
        _insertSalvagedValues[6].Value = entry.Payload.ToArray();
        if (Checksums)
        {
            _insertSalvagedValues[7].Value = Checksum(entry);
        }

        return _insertSalvaged.ExecuteNonQuery() == 1;
    }

    /// <summary>Whether the corrupt file <paramref name="sideFileName"/> was salvaged into this database already.</summary>
    internal bool IsSalvaged(string sideFileName)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM outbox_salvage WHERE side_file = $name";
        command.Parameters.AddWithValue("$name", sideFileName);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Marks a corrupt file as salvaged, in the transaction that inserted its rows and its declarations.</summary>
    internal void RecordSalvage(string sideFileName, long salvaged, long unreadableSeqs, string declarations, long atTicks)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO outbox_salvage (side_file, salvaged, unreadable_seqs, declarations, at_ticks) VALUES ($name, $salvaged, $unreadable, $declarations, $at)";
        command.Parameters.AddWithValue("$name", sideFileName);
        command.Parameters.AddWithValue("$salvaged", salvaged);
        command.Parameters.AddWithValue("$unreadable", unreadableSeqs);
        command.Parameters.AddWithValue("$declarations", declarations);
        command.Parameters.AddWithValue("$at", atTicks);
        command.ExecuteNonQuery();
    }

    internal void Begin() => _begin.ExecuteNonQuery();

    internal void Commit() => _commit.ExecuteNonQuery();

    /// <summary>Rolls back if a transaction is open; SQLite may already have rolled back on some errors.</summary>
    internal void TryRollback()
    {
        if (_connection.Handle is { } handle && SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
        {
            try
            {
                _rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // Nothing more can be done: the connection is closed on the next corruption recovery or at dispose.
            }
        }
    }

    internal void Insert(long seq, OutboxItem item, long acceptedTicks)
    {
        _insertSeq.Value = seq;
        _insertKind.Value = item.Kind;
        _insertDevice.Value = item.DeviceId;
        _insertTs.Value = item.Timestamp.UtcTicks;
        _insertSynced.Value = item.ClockSynced ? 1L : 0L;
        _insertAccepted.Value = acceptedTicks;
        _insertPayload.Value = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(item.Payload, out var segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : item.Payload.ToArray();
        if (Checksums)
        {
            _insertCrc.Value = RowChecksum.Compute(seq, item.Kind, item.DeviceId, item.Timestamp.UtcTicks, item.ClockSynced, acceptedTicks, item.Payload.Span);
        }

        _insert.ExecuteNonQuery();
    }

    /// <summary>The checksum <paramref name="entry"/> must have.</summary>
    internal static long Checksum(OutboxEntry entry) =>
        RowChecksum.Compute(entry.Seq, entry.Kind, entry.DeviceId, entry.Timestamp.UtcTicks, entry.ClockSynced, entry.AcceptedAt.UtcTicks, entry.Payload.Span);

    internal void SetLastSeq(long seq)
    {
        _setLastSeqValue.Value = seq;
        _setLastSeq.ExecuteNonQuery();
    }

    /// <summary>
    /// Moves every row at or below <paramref name="through"/> up by <paramref name="offset"/> (which puts it above every
    /// seq here, so no new seq meets an old one), inside the caller's transaction. A row whose checksum holds gets the
    /// checksum of its new seq; a damaged row keeps its old one, so it stays detectably damaged.
    /// </summary>
    /// <returns>How many rows moved.</returns>
    internal int Renumber(long offset, long through)
    {
        if (!Checksums)
        {
            using var shift = _connection.CreateCommand();
            shift.CommandText = "UPDATE outbox_item SET seq = seq + $offset WHERE seq <= $through";
            shift.Parameters.AddWithValue("$offset", offset);
            shift.Parameters.AddWithValue("$through", through);
            return shift.ExecuteNonQuery();
        }

        var moves = new List<(long Seq, object Crc)>();
        using (var select = _connection.CreateCommand())
        {
            select.CommandText = "SELECT seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, payload, crc FROM outbox_item WHERE seq <= $through";
            select.Parameters.AddWithValue("$through", through);
            using var r = select.ExecuteReader();
            while (r.Read())
            {
                var seq = r.GetInt64(0);
                var crc = r.GetValue(7);
                if (crc is long stored
                    && r.GetValue(1) is string kind && r.GetValue(2) is string device && r.GetValue(3) is long ts
                    && r.GetValue(4) is long synced && r.GetValue(5) is long accepted && r.GetValue(6) is byte[] payload
                    && stored == RowChecksum.Compute(seq, kind, device, ts, synced != 0, accepted, payload))
                {
                    crc = RowChecksum.Compute(seq + offset, kind, device, ts, synced != 0, accepted, payload);
                }

                moves.Add((seq, crc));
            }
        }

        using var update = _connection.CreateCommand();
        update.CommandText = "UPDATE outbox_item SET seq = $new, crc = $crc WHERE seq = $old";
        var newSeq = update.Parameters.Add("$new", SqliteType.Integer);
        var newCrc = update.Parameters.Add("$crc", SqliteType.Integer);
        var oldSeq = update.Parameters.Add("$old", SqliteType.Integer);
        foreach (var (seq, crc) in moves)
        {
            newSeq.Value = seq + offset;
            newCrc.Value = crc;
            oldSeq.Value = seq;
            update.ExecuteNonQuery();
        }

        return moves.Count;
    }

    /// <summary>The lowest and highest seq held at or below <paramref name="through"/>; nulls when there is none.</summary>
    internal (long? Lowest, long? Highest) ReadSeqBounds(long through)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT min(seq), max(seq) FROM outbox_item WHERE seq <= $through";
        command.Parameters.AddWithValue("$through", through);
        using var r = command.ExecuteReader();
        r.Read();
        return (r.IsDBNull(0) ? null : r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1));
    }

    internal int DeleteRange(long from, long to)
    {
        _deleteFrom.Value = from;
        _deleteTo.Value = to;
        return _deleteRange.ExecuteNonQuery();
    }

    internal List<OutboxEntry> Read(long afterSeq, long beforeSeq, int limit)
    {
        _readAfter.Value = afterSeq;
        _readBefore.Value = beforeSeq;
        _readLimit.Value = limit;
        var entries = new List<OutboxEntry>(Math.Min(limit, 1024));
        using var reader = _read.ExecuteReader();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            OutboxEntry entry;
            try
            {
                entry = new OutboxEntry(
                    seq,
                    reader.GetString(1),
                    reader.GetString(2),
                    new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                    reader.GetInt64(4) != 0,
                    new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
                    reader.GetFieldValue<byte[]>(6));
            }
            catch (Exception ex) when (ex is InvalidCastException or InvalidOperationException or ArgumentOutOfRangeException or FormatException or OverflowException)
            {
                // A null, a wrong type or an impossible time: values the outbox never writes.
                throw new CorruptDatabaseException(string.Create(CultureInfo.InvariantCulture, $"the row with seq {seq} holds values the outbox never writes ({ex.Message})"), ex);
            }

            if (reader.GetValue(7) is not DBNull and var crc && (crc is not long stored || stored != Checksum(entry)))
            {
                // Damage SQLite cannot see. Treated like any other corruption: the file is moved aside and salvaged,
                // where this row fails the same check and is declared lost instead of being sent wrong.
                throw new CorruptDatabaseException(string.Create(CultureInfo.InvariantCulture, $"the row with seq {entry.Seq} does not match its checksum"));
            }

            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Pages holding data plus the WAL file: what the quota counts. Freed pages are reused, so they do not count.</summary>
    internal long MeasureUsedBytes() => MeasureUsedBytes(out _);

    /// <inheritdoc cref="MeasureUsedBytes()"/>
    internal long MeasureUsedBytes(out long walBytes)
    {
        var pages = (long)_pageCount.ExecuteScalar()!;
        var free = (long)_freelistCount.ExecuteScalar()!;
        walBytes = 0;
        try
        {
            var info = new FileInfo(_walPath);
            walBytes = info.Exists ? info.Length : 0;
        }
        catch (IOException)
        {
            // The WAL is between truncation and growth; count it as empty for this one measurement.
        }

        return ((pages - free) * PageSize) + walBytes;
    }

    /// <summary>PRAGMA wal_checkpoint(TRUNCATE): copies the WAL into the database and empties it.</summary>
    /// <returns><see langword="true"/> when the checkpoint completed.</returns>
    internal bool Checkpoint()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetInt64(0) == 0;
    }

    internal void SetBusyTimeout(TimeSpan timeout) =>
        Execute(_connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds}"));

    /// <summary>Drops the connection's page cache, so the next statement reads the file again.</summary>
    internal void ShrinkMemory() => Execute(_connection, "PRAGMA shrink_memory");

    /// <summary>
    /// Before closing a corrupt database: no checkpoint at close, so the WAL is neither copied into the damaged file
    /// nor deleted, and both are moved aside exactly as they were.
    /// </summary>
    internal void DisableCheckpointOnClose()
    {
        if (_connection.Handle is { } handle)
        {
            _ = SQLitePCL.raw.sqlite3_db_config(handle, SQLitePCL.raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
        }
    }

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _rollback.Dispose();
        _insert.Dispose();
        _setLastSeq.Dispose();
        _deleteRange.Dispose();
        _read.Dispose();
        _pageCount.Dispose();
        _freelistCount.Dispose();
        _setAckedThrough.Dispose();
        _insertSalvaged.Dispose();
        _connection.Dispose();
    }

    private static void CreateSchema(SqliteConnection connection, long seqFloor, long ackedThrough)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            PRAGMA application_id = {ApplicationId};
            CREATE TABLE outbox_meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE outbox_item (
                seq INTEGER PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                device_id TEXT NOT NULL,
                ts_ticks INTEGER NOT NULL,
                clock_synced INTEGER NOT NULL,
                accepted_ticks INTEGER NOT NULL,
                payload BLOB NOT NULL,
                crc INTEGER);
            INSERT INTO outbox_meta (key, value) VALUES ('schema_version', {SchemaVersion}), ('last_seq', $floor), ('floor', $floor), ('acked_through', $acked);
            {SalvageTableSql};
            """;
        command.Parameters.AddWithValue("$floor", seqFloor);
        command.Parameters.AddWithValue("$acked", ackedThrough);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Whether <c>outbox_item</c> has the <c>crc</c> column (files from before it was added do not).</summary>
    internal static bool HasChecksumColumn(SqliteConnection connection) =>
        Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM pragma_table_info('outbox_item') WHERE name = 'crc'"), CultureInfo.InvariantCulture) > 0;

    private static bool TryAddChecksumColumn(SqliteConnection connection)
    {
        try
        {
            Execute(connection, "ALTER TABLE outbox_item ADD COLUMN crc INTEGER");
            return true;
        }
        catch (SqliteException ex) when ((ex.SqliteErrorCode & 0xFF) == SqliteFull)
        {
            // The one write an open now makes must not keep a full card's backlog from being sent.
            return false;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }
}

/// <summary>The database failed the open check (quick_check, or not an outbox file).</summary>
internal sealed class CorruptDatabaseException : Exception
{
    public CorruptDatabaseException()
    {
    }

    public CorruptDatabaseException(string message)
        : base(message)
    {
    }

    public CorruptDatabaseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
