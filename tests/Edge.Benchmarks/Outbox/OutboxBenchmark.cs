using System.Diagnostics;
using Edge.Outbox;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;

namespace Edge.Benchmarks.Outbox;

/// <summary>
/// Durable appends per second through the outbox (WAL, synchronous=FULL, group commit) from 64 concurrent producers,
/// compared in the same run with a plain SQLite insert loop writing the same rows with the same durability, in
/// transactions of the same average size the outbox's group commit reached, with one prepared statement.
/// </summary>
internal sealed class OutboxBenchmark : IBenchmark
{
    private const int Producers = 64;
    private const int PerProducer = 1_500;
    private const int PayloadBytes = 100;

    public string Group => "outbox";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var payload = new byte[PayloadBytes];
        new Random(7).NextBytes(payload);
        await MeasureOutboxAsync(payload, 8, 200);

        // The outbox before and after the baseline, so a load change on the shared machine biases neither side.
        var (before, batchBefore) = await MeasureOutboxAsync(payload, Producers, PerProducer);
        var averageBatch = batchBefore;
        var raw = MeasureRawSqlite(payload, Producers * PerProducer, (int)Math.Max(1, Math.Round(averageBatch)));
        var (after, batchAfter) = await MeasureOutboxAsync(payload, Producers, PerProducer);
        var outbox = 2 / ((1 / before) + (1 / after));
        averageBatch = (batchBefore + batchAfter) / 2;
        var latency = await MeasureSingleProducerLatencyAsync(payload);

        return
        [
            BenchResult.Absolute("outbox.durable.readings_per_s", Math.Round(outbox), "readings/s", "≥ 50000"),
            BenchResult.Compared("outbox.durable.ratio_vs_raw_sqlite", Math.Round(outbox), "readings/s", "raw SQLite, same batches", Math.Round(raw), "≥ 0.7"),
            BenchResult.Absolute("outbox.durable.avg_group_commit_batch", Math.Round(averageBatch, 1), "items/commit"),
            BenchResult.Absolute("outbox.durable.single_producer_append_p50_ms", Math.Round(latency, 3), "ms"),
        ];
    }

    private static async Task<(double Rate, double AverageBatch)> MeasureOutboxAsync(byte[] payload, int producers, int perProducer)
    {
        var directory = TestDirectories.Create("bench-outbox");
        try
        {
            var options = new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db"), QuickCheckOnOpen = false };
            var outbox = new Edge.Outbox.Outbox(options);
            await outbox.OpenAsync();
            await using (outbox)
            {
                var now = DateTimeOffset.UtcNow;
                var watch = Stopwatch.StartNew();
                var tasks = new Task[producers];
                for (var p = 0; p < producers; p++)
                {
                    var device = $"scale-{p}";
                    tasks[p] = Task.Run(async () =>
                    {
                        for (var i = 0; i < perProducer; i++)
                        {
                            await outbox.AppendAsync(new OutboxItem("reading", device, now, true, payload));
                        }
                    });
                }

                await Task.WhenAll(tasks);
                watch.Stop();
                var status = outbox.Status;
                return (producers * perProducer / watch.Elapsed.TotalSeconds, status.AverageBatchSize);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> MeasureSingleProducerLatencyAsync(byte[] payload)
    {
        var directory = TestDirectories.Create("bench-outbox-latency");
        try
        {
            var outbox = new Edge.Outbox.Outbox(new OutboxOptions { DatabasePath = Path.Combine(directory, "outbox.db") });
            await outbox.OpenAsync();
            await using (outbox)
            {
                var samples = new double[500];
                for (var i = 0; i < samples.Length; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    await outbox.AppendAsync(new OutboxItem("reading", "scale-1", DateTimeOffset.UtcNow, true, payload));
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                Array.Sort(samples);
                return samples[samples.Length / 2];
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The same rows, the same schema and pragmas, one thread, one reused prepared statement.</summary>
    private static double MeasureRawSqlite(byte[] payload, int rows, int batch)
    {
        var directory = TestDirectories.Create("bench-raw-sqlite");
        try
        {
            var path = Path.Combine(directory, "raw.db");
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            Exec(connection, "PRAGMA journal_mode = WAL");
            Exec(connection, "PRAGMA synchronous = FULL");

            // The WAL sizing the outbox uses for its default 1 GiB quota, so both sides checkpoint alike.
            Exec(connection, "PRAGMA journal_size_limit = 4194304");
            Exec(connection, "PRAGMA wal_autocheckpoint = 1024");
            Exec(connection, "CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID");
            Exec(connection, "CREATE TABLE item (seq INTEGER PRIMARY KEY NOT NULL, kind TEXT NOT NULL, device_id TEXT NOT NULL, ts_ticks INTEGER NOT NULL, clock_synced INTEGER NOT NULL, accepted_ticks INTEGER NOT NULL, payload BLOB NOT NULL)");
            Exec(connection, "INSERT INTO meta VALUES ('last_seq', 0)");
            using var begin = Prepare(connection, "BEGIN IMMEDIATE");
            using var commit = Prepare(connection, "COMMIT");
            using var meta = connection.CreateCommand();
            meta.CommandText = "UPDATE meta SET value = $v WHERE key = 'last_seq'";
            var metaValue = meta.Parameters.Add("$v", SqliteType.Integer);
            meta.Prepare();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO item VALUES ($seq, $kind, $device, $ts, $synced, $accepted, $payload)";
            var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
            var kind = insert.Parameters.Add("$kind", SqliteType.Text);
            var device = insert.Parameters.Add("$device", SqliteType.Text);
            var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
            var synced = insert.Parameters.Add("$synced", SqliteType.Integer);
            var accepted = insert.Parameters.Add("$accepted", SqliteType.Integer);
            var blob = insert.Parameters.Add("$payload", SqliteType.Blob);
            insert.Prepare();
            var now = DateTimeOffset.UtcNow.UtcTicks;
            var watch = Stopwatch.StartNew();
            long n = 0;
            while (n < rows)
            {
                begin.ExecuteNonQuery();
                for (var i = 0; i < batch && n < rows; i++)
                {
                    seq.Value = ++n;
                    kind.Value = "reading";
                    device.Value = $"scale-{n % Producers}";
                    ts.Value = now;
                    synced.Value = 1L;
                    accepted.Value = now;
                    blob.Value = payload;
                    insert.ExecuteNonQuery();
                }

                metaValue.Value = n;
                meta.ExecuteNonQuery();
                commit.ExecuteNonQuery();
            }

            watch.Stop();
            return rows / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }
}
