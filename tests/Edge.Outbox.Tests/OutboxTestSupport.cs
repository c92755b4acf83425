using System.Collections.Concurrent;
using System.Text;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Edge.Outbox.Tests;

/// <summary>Shared helpers: real SQLite files in a fresh directory per test, a recording logger, direct inspection.</summary>
internal static class OutboxTestSupport
{
    internal static OutboxOptions Options(string purpose, Action<OutboxOptions>? configure = null)
    {
        var options = new OutboxOptions { DatabasePath = Path.Combine(TestDirectories.Create(purpose), "outbox.db") };
        configure?.Invoke(options);
        return options;
    }

    internal static async Task<Outbox> OpenAsync(OutboxOptions options, ILogger<Outbox>? logger = null, TimeProvider? time = null)
    {
        var outbox = new Outbox(options, logger, time);
        await outbox.OpenAsync();
        return outbox;
    }

    /// <summary>Delivery settings for dispatcher tests: the given backlog rate, an hour's acknowledgement timeout.</summary>
    internal static OutboxDeliveryOptions Delivery(double rate, int burst) => new()
    {
        BacklogItemsPerSecond = rate,
        BacklogBurst = burst,
        AckTimeout = TimeSpan.FromHours(1),
        MaxPublishBatch = 100,
    };

    internal static OutboxItem Item(string payload, string kind = "reading", bool clockSynced = true, string device = "scale-1") =>
        new(kind, device, new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero), clockSynced, Encoding.UTF8.GetBytes(payload));

    internal static OutboxItem Item(int size, string tag)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        Encoding.ASCII.GetBytes(tag).CopyTo(bytes, 0);
        return new OutboxItem("reading", "scale-1", DateTimeOffset.UtcNow, true, bytes);
    }

    /// <summary>Appends <paramref name="count"/> items from 16 concurrent producers (test setup; order is not asserted).</summary>
    internal static async Task AppendManyAsync(Outbox outbox, int count, int size)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                await outbox.AppendAsync(Item(size, $"m{i}"));
            }
        })));
    }

    internal static string Text(OutboxEntry entry) => Encoding.UTF8.GetString(entry.Payload.Span);

    /// <summary>Reads the file with a separate connection, as a forensic tool would.</summary>
    internal static DatabaseSnapshot Inspect(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var rows = new SortedDictionary<long, byte[]>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT seq, payload FROM outbox_item ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
            }
        }

        using var meta = connection.CreateCommand();
        meta.CommandText = "SELECT value FROM outbox_meta WHERE key = 'last_seq'";
        var lastSeq = (long)meta.ExecuteScalar()!;
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        var integrity = (string)check.ExecuteScalar()!;
        return new DatabaseSnapshot(rows, lastSeq, integrity);
    }

    internal static long RootPageOfItems(string path)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT rootpage FROM sqlite_schema WHERE name = 'outbox_item'";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Overwrites <paramref name="count"/> bytes at <paramref name="offset"/> with random garbage and fsyncs.</summary>
    internal static void WriteGarbage(string path, long offset, int count)
    {
        var garbage = new byte[count];
        new Random(42).NextBytes(garbage);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
        stream.Position = offset;
        stream.Write(garbage);
        stream.Flush(flushToDisk: true);
    }

    internal static async Task<T> WithTimeout<T>(Task<T> task, int seconds = 20) => await task.WaitAsync(TimeSpan.FromSeconds(seconds));

    /// <summary>Waits up to 10 s for <paramref name="condition"/>; the caller asserts what it needs afterwards.</summary>
    internal static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Opens the outbox with its corruption and salvage events recorded (they are raised on the thread pool).</summary>
    internal static async Task<(ConcurrentQueue<OutboxCorruptionEventArgs> Moved, ConcurrentQueue<OutboxSalvageEventArgs> Salvaged, Outbox Outbox)> OpenWatchedAsync(OutboxOptions options)
    {
        var moved = new ConcurrentQueue<OutboxCorruptionEventArgs>();
        var salvaged = new ConcurrentQueue<OutboxSalvageEventArgs>();
        var outbox = new Outbox(options);
        outbox.CorruptDatabaseMovedAside += (_, e) => moved.Enqueue(e);
        outbox.CorruptDatabaseSalvaged += (_, e) => salvaged.Enqueue(e);
        await outbox.OpenAsync();
        return (moved, salvaged, outbox);
    }

    /// <summary>Runs a program (mount, umount); true when it exits 0 within 20 s.</summary>
    internal static bool Run(string program, params string[] args)
    {
        try
        {
            using var process = ChildProcess.Start(program, args, name: program);
            return process.WaitForExit(TimeSpan.FromSeconds(20)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

internal sealed record DatabaseSnapshot(SortedDictionary<long, byte[]> Rows, long LastSeq, string Integrity)
{
    public string PayloadText(long seq) => Encoding.UTF8.GetString(Rows[seq]);
}
