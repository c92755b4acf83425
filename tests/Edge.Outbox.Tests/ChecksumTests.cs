using System.Collections.Concurrent;
using System.Text;
using Edge.Outbox.Internal;
using Microsoft.Data.Sqlite;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

/// <summary>
/// Every row carries a checksum, so damage inside a well-formed row (which SQLite's own checks pass) is found: the row
/// is declared lost, never sent with a wrong value.
/// </summary>
public sealed class ChecksumTests
{
    [Fact]
    public async Task A_row_changed_on_disk_behind_sqlites_back_is_declared_lost_and_never_handed_out()
    {
        var options = Options("crc-tampered", o => o.SeqReservationBlock = 100);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 10; i++)
            {
                await outbox.AppendAsync(Item($"{{\"kg\":1{i:D3}0}}"));
            }
        }

        // One digit of seq 5's weight changes on the card; the page stays well-formed, so SQLite finds nothing wrong.
        Tamper(options.DatabasePath, 5, "{\"kg\":90050}");
        Assert.Equal("ok", Inspect(options.DatabasePath).Integrity);

        var moved = new ConcurrentQueue<OutboxCorruptionEventArgs>();
        var outbox2 = new Outbox(options);
        outbox2.CorruptDatabaseMovedAside += (_, e) => moved.Enqueue(e);
        await outbox2.OpenAsync();
        await using (outbox2)
        {
            var entries = await outbox2.ReadAsync(0, 100);

            var readings = entries.Where(e => e.Kind == "reading").ToList();
            Assert.Equal([1, 2, 3, 4, 6, 7, 8, 9, 10], readings.Select(e => e.Seq));
            Assert.All(readings, e => Assert.Equal($"{{\"kg\":1{e.Seq:D3}0}}", Text(e)));
            Assert.DoesNotContain(entries, e => Text(e).Contains("90050", StringComparison.Ordinal));

            await WaitForAsync(() => !moved.IsEmpty);
            var corruption = Assert.Single(moved);
            Assert.Contains("seq 5 does not match its checksum", corruption.Reason, StringComparison.Ordinal);
            Assert.NotNull(corruption.Salvage);
            Assert.Equal([new OutboxSeqRange(5, 5)], corruption.Salvage.LostRanges);

            // The hub hears of it: a declaration names seq 5 as lost to corruption.
            var declaration = Assert.Single(entries, e => e.Kind == OutboxAbandonment.ItemKind && OutboxAbandonment.TryParse(e, out var d) && d.Reason == OutboxAbandonment.ReasonCorrupt);
            Assert.True(OutboxAbandonment.TryParse(declaration, out var lost));
            Assert.Equal([new OutboxSeqRange(5, 5)], lost.Ranges);
        }
    }

    [Fact]
    public async Task An_outbox_file_from_before_row_checksums_keeps_its_rows_and_checksums_the_new_ones()
    {
        var options = Options("crc-legacy");
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 3; i++)
            {
                await outbox.AppendAsync(Item($"old {i}"));
            }
        }

        // Exactly what an older build left: the same table without the crc column.
        Execute(options.DatabasePath, "ALTER TABLE outbox_item DROP COLUMN crc");

        var moved = 0;
        var outbox2 = new Outbox(options);
        outbox2.CorruptDatabaseMovedAside += (_, _) => Interlocked.Increment(ref moved);
        await outbox2.OpenAsync();
        await using (outbox2)
        {
            Assert.Equal(4, await outbox2.AppendAsync(Item("new 4")));
            var entries = await outbox2.ReadAsync(0, 100);
            Assert.Equal(["old 1", "old 2", "old 3", "new 4"], entries.Select(Text));
        }

        Assert.Equal(0, Volatile.Read(ref moved));
        Assert.Equal(
            [(1L, false), (2L, false), (3L, false), (4L, true)],
            Query(options.DatabasePath, "SELECT seq, crc IS NOT NULL FROM outbox_item ORDER BY seq", r => (r.GetInt64(0), r.GetBoolean(1))));
    }

    [Fact]
    public void Any_single_changed_bit_or_field_changes_the_checksum()
    {
        var ts = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero).UtcTicks;
        var payload = Encoding.UTF8.GetBytes("{\"kg\":12340,\"stable\":true}");
        var original = RowChecksum.Compute(7, "reading", "scale-1", ts, true, ts + 1, payload);

        for (var bit = 0; bit < payload.Length * 8; bit++)
        {
            var flipped = (byte[])payload.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(original, RowChecksum.Compute(7, "reading", "scale-1", ts, true, ts + 1, flipped));
        }

        Assert.NotEqual(original, RowChecksum.Compute(8, "reading", "scale-1", ts, true, ts + 1, payload));
        Assert.NotEqual(original, RowChecksum.Compute(7, "readinh", "scale-1", ts, true, ts + 1, payload));
        Assert.NotEqual(original, RowChecksum.Compute(7, "reading", "scale-2", ts, true, ts + 1, payload));
        Assert.NotEqual(original, RowChecksum.Compute(7, "reading", "scale-1", ts + 1, true, ts + 1, payload));
        Assert.NotEqual(original, RowChecksum.Compute(7, "reading", "scale-1", ts, false, ts + 1, payload));
        Assert.NotEqual(original, RowChecksum.Compute(7, "reading", "scale-1", ts, true, ts + 2, payload));

        // A character moved across the boundary of two text fields is a different row.
        Assert.NotEqual(RowChecksum.Compute(7, "ab", "c", ts, true, ts, payload), RowChecksum.Compute(7, "a", "bc", ts, true, ts, payload));
    }

    private static void Tamper(string path, long seq, string payload)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE outbox_item SET payload = $p WHERE seq = $seq";
        command.Parameters.AddWithValue("$p", Encoding.UTF8.GetBytes(payload));
        command.Parameters.AddWithValue("$seq", seq);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(string path, string sql, Func<SqliteDataReader, T> map)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }
}
