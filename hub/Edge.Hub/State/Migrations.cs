using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Hub.State;

/// <summary>One numbered step of the state store's schema.</summary>
/// <param name="Version">The schema version this step produces; steps run in ascending order, each exactly once.</param>
/// <param name="Name">A short name, recorded in <c>schema_migrations</c>.</param>
/// <param name="Sql">The statements. Never edit a released step: add a new one.</param>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// The schema of the state store as an ordered list of migrations, and the runner that brings a database up to date
/// at start. Applied versions are recorded in <c>schema_migrations</c>; all pending steps run in one
/// <c>BEGIN IMMEDIATE</c> transaction, so a failed upgrade leaves the old schema untouched and two hub processes
/// starting together on one file cannot both apply a step.
/// </summary>
internal static class Migrations
{
    /// <summary>Every migration, oldest first.</summary>
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "initial", """
            CREATE TABLE ack_state (
                gateway         TEXT NOT NULL PRIMARY KEY,
                site            TEXT NOT NULL,
                area            TEXT NOT NULL,
                stored_through  INTEGER NOT NULL,
                ranges          TEXT NOT NULL,
                highest_seen    INTEGER NOT NULL,
                readings_stored INTEGER NOT NULL,
                scans_stored    INTEGER NOT NULL,
                duplicates      INTEGER NOT NULL,
                updated_at      TEXT NOT NULL
            );
            CREATE TABLE gateways (
                gateway           TEXT NOT NULL PRIMARY KEY,
                site              TEXT NOT NULL,
                area              TEXT NOT NULL,
                birth_session     INTEGER,
                birth_seq         INTEGER,
                birth_ts          TEXT,
                birth_received_at TEXT,
                software_version  TEXT,
                death_session     INTEGER,
                death_graceful    INTEGER,
                death_received_at TEXT,
                last_seen_at      TEXT
            );
            CREATE TABLE devices (
                gateway           TEXT NOT NULL,
                device            TEXT NOT NULL,
                state             TEXT NOT NULL,
                last_good_read_at TEXT,
                error_count       INTEGER NOT NULL,
                message           TEXT,
                reported_at       TEXT NOT NULL,
                PRIMARY KEY (gateway, device)
            ) WITHOUT ROWID;
            CREATE TABLE scans (
                gateway     TEXT NOT NULL,
                seq         INTEGER NOT NULL,
                site        TEXT NOT NULL,
                area        TEXT NOT NULL,
                device      TEXT NOT NULL,
                station     TEXT NOT NULL,
                code        TEXT NOT NULL,
                tech        TEXT NOT NULL,
                symbology   TEXT,
                ts          TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (gateway, seq)
            ) WITHOUT ROWID;
            CREATE TABLE dead_letters (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                received_at   TEXT NOT NULL,
                source        TEXT NOT NULL,
                topic         TEXT,
                reason        TEXT NOT NULL,
                payload       BLOB NOT NULL,
                payload_bytes INTEGER NOT NULL
            );
            """),
        new(2, "latest-and-counter-totals", """
            CREATE TABLE latest (
                gateway     TEXT NOT NULL,
                device      TEXT NOT NULL,
                channel     TEXT NOT NULL,
                kind        TEXT NOT NULL,
                value       REAL,
                text        TEXT,
                unit        TEXT,
                ts          TEXT NOT NULL,
                ts_ticks    INTEGER NOT NULL,
                seq         INTEGER NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (gateway, device, channel)
            ) WITHOUT ROWID;
            CREATE TABLE counter_totals (
                gateway  TEXT NOT NULL,
                device   TEXT NOT NULL,
                channel  TEXT NOT NULL,
                total    INTEGER NOT NULL,
                readings INTEGER NOT NULL,
                last_raw INTEGER NOT NULL,
                epoch    INTEGER NOT NULL,
                width    INTEGER NOT NULL,
                last_ts  TEXT NOT NULL,
                last_seq INTEGER NOT NULL,
                PRIMARY KEY (gateway, device, channel)
            ) WITHOUT ROWID;
            """),
        new(3, "dead-letter-origin-and-eviction", """
            ALTER TABLE dead_letters ADD COLUMN origin TEXT;
            ALTER TABLE dead_letters ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE counters (
                name  TEXT NOT NULL PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO counters (name, value) VALUES ('dead_letters_evicted', 0);
            INSERT INTO counters (name, value) VALUES ('dead_letters_total', (SELECT COUNT(*) FROM dead_letters));
            """),
        new(4, "abandoned-seqs", """
            ALTER TABLE ack_state ADD COLUMN abandoned TEXT NOT NULL DEFAULT '';
            ALTER TABLE ack_state ADD COLUMN abandoned_lost INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE ack_state ADD COLUMN abandoned_unassigned INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE ack_state ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE seq_abandonments (
                gateway     TEXT NOT NULL,
                seq         INTEGER NOT NULL,
                reason      TEXT NOT NULL,
                ranges      TEXT NOT NULL,
                declared    INTEGER NOT NULL,
                abandoned   INTEGER NOT NULL,
                note        TEXT,
                declared_at TEXT NOT NULL,
                received_at TEXT NOT NULL,
                PRIMARY KEY (gateway, seq)
            ) WITHOUT ROWID;
            """),

        // Letters of lines InfluxDB refused stand for acknowledged readings and must survive a flood of refused MQTT
        // messages. Until now only the writer's letters had no topic (every MQTT letter has the topic it came on), so
        // that marks the old ones; their source 'influx' alone could be a gateway id named on a topic.
        new(5, "dead-letter-kind", """
            ALTER TABLE dead_letters ADD COLUMN kind TEXT NOT NULL DEFAULT 'mqtt';
            UPDATE dead_letters SET kind = 'influx' WHERE topic IS NULL AND source = 'influx';
            CREATE INDEX dead_letters_kind ON dead_letters (kind, id);
            """),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>Brings the database up to <paramref name="targetVersion"/>.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="now">Recorded as each step's <c>applied_at</c>.</param>
    /// <param name="targetVersion">The version to reach; <see cref="LatestVersion"/> by default (tests stop earlier to build old databases).</param>
    /// <returns>The versions applied now, oldest first; empty when the schema was current.</returns>
    /// <exception cref="StateStoreException">The database is newer than this build, or a step failed (nothing was changed).</exception>
    public static IReadOnlyList<int> Apply(SqliteConnection connection, DateTimeOffset now, int? targetVersion = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var target = targetVersion ?? LatestVersion;
        using var tx = connection.BeginTransaction(deferred: false);
        Execute(connection, tx, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    INTEGER NOT NULL PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at TEXT NOT NULL
            );
            """);
        var current = CurrentVersion(connection, tx);
        if (current > LatestVersion)
        {
            throw new StateStoreException(
                $"The state store {connection.DataSource} has schema version {current}, but this hub knows only up to {LatestVersion}: it was written by a newer hub. Run that version or restore a backup.");
        }

        var applied = new List<int>();
        foreach (var m in All)
        {
            if (m.Version <= current || m.Version > target)
            {
                continue;
            }

            try
            {
                Execute(connection, tx, m.Sql);
                using var record = connection.CreateCommand();
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $a)";
                record.Parameters.AddWithValue("$v", m.Version);
                record.Parameters.AddWithValue("$n", m.Name);
                record.Parameters.AddWithValue("$a", now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw new StateStoreException($"Migration {m.Version} ({m.Name}) of {connection.DataSource} failed; nothing was changed: {e.Message}", e);
            }

            applied.Add(m.Version);
        }

        tx.Commit();
        return applied;
    }

    /// <summary>The highest applied version (0 for a new database).</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="transaction">The transaction to read in, if any.</param>
    /// <returns>The version.</returns>
    public static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
        if (cmd.ExecuteScalar() is null)
        {
            return 0;
        }

        cmd.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        return Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
