using System.Globalization;
using Edge.Contracts;
using Edge.Hub.Ingest;
using Edge.Hub.Influx;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Edge.Hub.State;

/// <summary>
/// The state store in one SQLite file in WAL mode: one write connection (commits are serialized under a lock),
/// short-lived pooled connections for reads.
/// </summary>
/// <remarks>
/// Several hub processes on one machine may share the file: every commit starts with <c>BEGIN IMMEDIATE</c> and
/// re-reads the acknowledgement state of the gateways it touches, so a seq stored by another process meanwhile is a
/// duplicate here too.
/// </remarks>
internal sealed partial class SqliteStateStore : IStateStore
{
    private readonly StateStoreOptions _options;
    private readonly DeadLetterOptions _deadLetterOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _writeGate = new();
    private readonly string _connectionString;
    private readonly string _readConnectionString;
    private SqliteConnection? _write;
    private volatile bool _open;
    private bool _disposed;

    /// <summary>Creates the store; call <see cref="Open"/> before use.</summary>
    /// <param name="options">Where and how.</param>
    /// <param name="deadLetterOptions">The dead-letter caps.</param>
    /// <param name="timeProvider">The clock for migration records.</param>
    /// <param name="logger">The logger.</param>
    public SqliteStateStore(IOptions<StateStoreOptions> options, IOptions<DeadLetterOptions> deadLetterOptions, TimeProvider? timeProvider = null, ILogger<SqliteStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(deadLetterOptions);
        _options = options.Value;
        _deadLetterOptions = deadLetterOptions.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(_options.Path),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
        };
        _connectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadOnly;
        _readConnectionString = builder.ToString();
    }

    /// <summary>The database file.</summary>
    public string FilePath => Path.GetFullPath(_options.Path);

    /// <inheritdoc/>
    public bool IsOpen => _open;

    /// <inheritdoc/>
    public int SchemaVersion { get; private set; }

    /// <inheritdoc/>
    public void Open()
    {
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_write is not null)
            {
                return;
            }

            try
            {
                var dir = Path.GetDirectoryName(FilePath);
                if (!string.IsNullOrEmpty(dir))
                {
                    Directory.CreateDirectory(dir);
                }

                var connection = new SqliteConnection(_connectionString);
                connection.Open();
                Configure(connection, writer: true);
                var applied = Migrations.Apply(connection, _time.GetUtcNow());
                SchemaVersion = Migrations.CurrentVersion(connection);
                _write = connection;
                _open = true;
                Log.StateStoreOpened(_logger, FilePath, SchemaVersion, applied.Count == 0 ? "none" : string.Join(',', applied));
            }
            catch (SqliteException e)
            {
                throw new StateStoreException($"Cannot open the state store {FilePath}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new StateStoreException($"Cannot open the state store {FilePath}: {e.Message}", e);
            }
        }
    }

    /// <inheritdoc/>
    public bool Ping()
    {
        if (!_open)
        {
            return false;
        }

        try
        {
            using var c = OpenRead();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM schema_migrations";
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredAckState> LoadAckStates()
    {
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT gateway, site, area, stored_through, ranges, highest_seen, readings_stored, scans_stored, duplicates, abandoned, abandoned_lost, abandoned_unassigned, recovered FROM ack_state ORDER BY gateway";
        using var r = cmd.ExecuteReader();
        var list = new List<StoredAckState>();
        while (r.Read())
        {
            list.Add(new StoredAckState(
                new GatewayAddress(r.GetString(1), r.GetString(2), r.GetString(0)),
                AckState.Parse(r.GetInt64(3), r.GetString(4)),
                r.GetInt64(5),
                r.GetInt64(6),
                r.GetInt64(7),
                r.GetInt64(8),
                new AbandonmentState(SeqSet.Parse(r.GetString(9)), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12))));
        }

        return list;
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredGateway> LoadRoster()
    {
        using var c = OpenRead();
        var devices = new Dictionary<string, List<StoredDevice>>(StringComparer.Ordinal);
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT gateway, device, state, last_good_read_at, error_count, message, reported_at FROM devices ORDER BY gateway, device";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!devices.TryGetValue(r.GetString(0), out var list))
                {
                    devices[r.GetString(0)] = list = [];
                }

                list.Add(new StoredDevice(r.GetString(1), ParseDeviceState(r.GetString(2)), ReadTime(r, 3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5), ReadTime(r, 6)!.Value));
            }
        }

        var gateways = new List<StoredGateway>();
        using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = """
                SELECT gateway, site, area, birth_session, birth_seq, birth_ts, birth_received_at, software_version,
                       death_session, death_graceful, death_received_at, last_seen_at
                FROM gateways ORDER BY gateway
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetString(0);
                gateways.Add(new StoredGateway(
                    new GatewayAddress(r.GetString(1), r.GetString(2), id),
                    ReadLong(r, 3),
                    ReadLong(r, 4),
                    ReadTime(r, 5),
                    ReadTime(r, 6),
                    r.IsDBNull(7) ? null : r.GetString(7),
                    ReadLong(r, 8),
                    r.IsDBNull(9) ? null : r.GetInt64(9) != 0,
                    ReadTime(r, 10),
                    ReadTime(r, 11),
                    devices.TryGetValue(id, out var list) ? list : []));
            }
        }

        return gateways;
    }

    /// <inheritdoc/>
    public IReadOnlyList<GatewayCommit> Commit(IReadOnlyList<StoreWork> work, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (work.Count == 0)
        {
            return [];
        }

        lock (_writeGate)
        {
            var c = WriteConnection();
            try
            {
                using var tx = c.BeginTransaction(deferred: false);
                var batch = new CommitBatch(c, tx, now);
                foreach (var w in work)
                {
                    batch.Apply(w);
                }

                var result = batch.Finish();
                tx.Commit();

                // Only what is committed is reported: a rolled-back declaration is declared again by its gateway.
                batch.Report(_logger);
                return result;
            }
            catch (SqliteException e)
            {
                throw new StateStoreException($"Committing {work.Count} messages to {FilePath} failed and was rolled back: {e.Message}", e);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask AddAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        var records = new List<DeadLetterRecord>(letters.Count);
        foreach (var l in letters)
        {
            // The whole line: the reading's seq is acknowledged, so this is the only copy left to replay from.
            var bytes = System.Text.Encoding.UTF8.GetBytes(l.Line);
            records.Add(new DeadLetterRecord(l.At, "influx", null, l.Reason, bytes, bytes.Length, l.Origin, DeadLetterKind.Influx));
        }

        AddDeadLetters(records);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void AddDeadLetters(IReadOnlyList<DeadLetterRecord> letters)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Count == 0)
        {
            return;
        }

        lock (_writeGate)
        {
            var c = WriteConnection();
            try
            {
                using var tx = c.BeginTransaction(deferred: false);
                using (var insert = c.CreateCommand())
                {
                    insert.Transaction = tx;
                    insert.CommandText = """
                        INSERT INTO dead_letters (received_at, source, topic, reason, payload, payload_bytes, origin, truncated, kind)
                        VALUES ($at, $source, $topic, $reason, $payload, $bytes, $origin, $truncated, $kind)
                        """;
                    var at = insert.Parameters.Add("$at", SqliteType.Text);
                    var source = insert.Parameters.Add("$source", SqliteType.Text);
                    var topic = insert.Parameters.Add("$topic", SqliteType.Text);
                    var reason = insert.Parameters.Add("$reason", SqliteType.Text);
                    var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
                    var bytes = insert.Parameters.Add("$bytes", SqliteType.Integer);
                    var origin = insert.Parameters.Add("$origin", SqliteType.Text);
                    var truncated = insert.Parameters.Add("$truncated", SqliteType.Integer);
                    var kind = insert.Parameters.Add("$kind", SqliteType.Text);
                    insert.Prepare();
                    foreach (var l in letters)
                    {
                        var kept = l.Kind == DeadLetterKind.Mqtt && l.Payload.Length > _deadLetterOptions.MaxPayloadBytes ? l.Payload[.._deadLetterOptions.MaxPayloadBytes] : l.Payload;
                        at.Value = FormatTime(l.ReceivedAt);
                        source.Value = l.Source;
                        topic.Value = (object?)l.Topic ?? DBNull.Value;
                        reason.Value = l.Reason;
                        payload.Value = kept.ToArray();
                        bytes.Value = l.PayloadBytes;
                        origin.Value = (object?)l.Origin ?? DBNull.Value;
                        truncated.Value = kept.Length < l.PayloadBytes ? 1 : 0;
                        kind.Value = KindName(l.Kind);
                        insert.ExecuteNonQuery();
                    }
                }

                Execute(c, tx, "UPDATE counters SET value = value + $n WHERE name = 'dead_letters_total'", ("$n", letters.Count));
                EvictDeadLetters(c, tx);
                tx.Commit();
            }
            catch (SqliteException e)
            {
                throw new StateStoreException($"Storing {letters.Count} dead letters in {FilePath} failed and was rolled back: {e.Message}", e);
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredDeadLetter> GetDeadLetters(long? beforeId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT id, received_at, source, topic, reason, payload, payload_bytes, origin, kind
            FROM dead_letters WHERE id < $before ORDER BY id DESC LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$before", beforeId ?? long.MaxValue);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredDeadLetter>();
        while (r.Read())
        {
            var payload = (byte[])r.GetValue(5);
            list.Add(new StoredDeadLetter(
                r.GetInt64(0),
                new DeadLetterRecord(ReadTime(r, 1)!.Value, r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), payload, r.GetInt32(6), r.IsDBNull(7) ? null : r.GetString(7), ParseKind(r.GetString(8)))));
        }

        return list;
    }

    /// <inheritdoc/>
    public DeadLetterStats GetDeadLetterStats()
    {
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT COUNT(*) FROM dead_letters),
                   (SELECT COALESCE(SUM(length(payload)), 0) FROM dead_letters),
                   (SELECT value FROM counters WHERE name = 'dead_letters_total'),
                   (SELECT value FROM counters WHERE name = 'dead_letters_evicted')
            """;
        using var r = cmd.ExecuteReader();
        r.Read();
        return new DeadLetterStats(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3));
    }

    /// <inheritdoc/>
    public long PurgeDeadLetters(DeadLetterKind kind)
    {
        lock (_writeGate)
        {
            var c = WriteConnection();
            using var tx = c.BeginTransaction(deferred: false);
            var n = Execute(c, tx, "DELETE FROM dead_letters WHERE kind = $kind", ("$kind", KindName(kind)));
            tx.Commit();
            return n;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredAbandonment> GetAbandonments(string gatewayId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT gateway, seq, reason, ranges, declared, abandoned, note, declared_at, received_at FROM seq_abandonments
            WHERE gateway = $g ORDER BY seq DESC LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$g", gatewayId);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredAbandonment>();
        while (r.Read())
        {
            list.Add(new StoredAbandonment(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), ReadTime(r, 7)!.Value, ReadTime(r, 8)!.Value));
        }

        return list;
    }

    /// <inheritdoc/>
    public IReadOnlyList<LatestReading> GetLatest(string? gatewayId, string? device)
    {
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT gateway, device, channel, kind, value, text, unit, ts, seq, received_at FROM latest
            WHERE ($g IS NULL OR gateway = $g) AND ($d IS NULL OR device = $d)
            ORDER BY gateway, device, channel
            """;
        cmd.Parameters.AddWithValue("$g", (object?)gatewayId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$d", (object?)device ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<LatestReading>();
        while (r.Read())
        {
            list.Add(new LatestReading(
                r.GetString(0),
                r.GetString(1),
                r.GetString(2),
                r.GetString(3),
                r.IsDBNull(4) ? null : r.GetDouble(4),
                r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6),
                ReadTime(r, 7)!.Value,
                r.GetInt64(8),
                ReadTime(r, 9)!.Value));
        }

        return list;
    }

    /// <inheritdoc/>
    public IReadOnlyList<CounterTotal> GetCounterTotals(string? gatewayId)
    {
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT gateway, device, channel, total, readings, last_raw, epoch, width, last_ts, last_seq FROM counter_totals
            WHERE ($g IS NULL OR gateway = $g) ORDER BY gateway, device, channel
            """;
        cmd.Parameters.AddWithValue("$g", (object?)gatewayId ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<CounterTotal>();
        while (r.Read())
        {
            list.Add(new CounterTotal(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt32(7), ReadTime(r, 8)!.Value, r.GetInt64(9)));
        }

        return list;
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredScan> GetScans(string? gatewayId, long? beforeSeq, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var c = OpenRead();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            SELECT gateway, seq, site, area, device, station, code, tech, symbology, ts, received_at FROM scans
            WHERE ($g IS NULL OR gateway = $g) AND seq < $before
            ORDER BY seq DESC, gateway LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$g", (object?)gatewayId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$before", beforeSeq ?? long.MaxValue);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<StoredScan>();
        while (r.Read())
        {
            list.Add(new StoredScan(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), ReadTime(r, 9)!.Value, ReadTime(r, 10)!.Value));
        }

        return list;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_writeGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _open = false;
            _write?.Dispose();
            _write = null;
        }

        // Pooled read connections hold the file open; release them so the file can be moved or deleted.
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The kind as stored in <c>dead_letters.kind</c> and shown by the API.</summary>
    internal static string KindName(DeadLetterKind kind) => kind == DeadLetterKind.Influx ? "influx" : "mqtt";

    internal static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static string DeviceStateName(DeviceState state) => state switch
    {
        DeviceState.Ok => "ok",
        DeviceState.Degraded => "degraded",
        _ => "down",
    };

    // Anything unknown is treated as an InfluxDB letter: keeping a letter too long costs space, evicting one a reading.
    private static DeadLetterKind ParseKind(string text) => text == "mqtt" ? DeadLetterKind.Mqtt : DeadLetterKind.Influx;

    private static DeviceState ParseDeviceState(string text) => text switch
    {
        "ok" => DeviceState.Ok,
        "degraded" => DeviceState.Degraded,
        _ => DeviceState.Down,
    };

    private static DateTimeOffset? ReadTime(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static long? ReadLong(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static int Execute(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd.ExecuteNonQuery();
    }

    private void Configure(SqliteConnection c, bool writer)
    {
        var busy = (long)_options.BusyTimeout.TotalMilliseconds;
        var sql = writer
            ? $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(_options.Synchronous == StateSynchronous.Full ? "FULL" : "NORMAL")}; PRAGMA busy_timeout = {busy}; PRAGMA foreign_keys = OFF;"
            : $"PRAGMA busy_timeout = {busy};";
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteConnection OpenRead()
    {
        if (!_open)
        {
            throw new StateStoreException($"The state store {FilePath} is not open.");
        }

        var c = new SqliteConnection(_readConnectionString);
        try
        {
            c.Open();
            Configure(c, writer: false);
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    private SqliteConnection WriteConnection()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _write ?? throw new StateStoreException($"The state store {FilePath} is not open.");
    }

    // The caps bound what anyone able to publish can make the hub keep: MQTT letters only. InfluxDB letters stand for
    // acknowledged readings, grow only with readings influxd refused, and leave only by an explicit purge.
    private void EvictDeadLetters(SqliteConnection c, SqliteTransaction tx)
    {
        long rows, bytes;
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0) FROM dead_letters WHERE kind = 'mqtt'";
            using var r = cmd.ExecuteReader();
            r.Read();
            rows = r.GetInt64(0);
            bytes = r.GetInt64(1);
        }

        var excessRows = Math.Max(0, rows - _deadLetterOptions.MaxRows);
        var excessBytes = Math.Max(0, bytes - _deadLetterOptions.MaxTotalBytes);
        if (excessRows == 0 && excessBytes == 0)
        {
            return;
        }

        // Walk the oldest letters until both caps hold, then delete them in one statement.
        long lastId = 0, evicted = 0, freed = 0;
        using (var cmd = c.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT id, length(payload) FROM dead_letters WHERE kind = 'mqtt' ORDER BY id";
            using var r = cmd.ExecuteReader();
            while ((evicted < excessRows || freed < excessBytes) && r.Read())
            {
                lastId = r.GetInt64(0);
                freed += r.GetInt64(1);
                evicted++;
            }
        }

        Execute(c, tx, "DELETE FROM dead_letters WHERE kind = 'mqtt' AND id <= $id", ("$id", lastId));
        Execute(c, tx, "UPDATE counters SET value = value + $n WHERE name = 'dead_letters_evicted'", ("$n", evicted));
        Log.DeadLettersEvicted(_logger, evicted, _deadLetterOptions.MaxRows, _deadLetterOptions.MaxTotalBytes);
    }
}
