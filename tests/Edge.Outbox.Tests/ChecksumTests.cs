using System.Text;
using Edge.Outbox.Internal;
using Edge.TestSupport;
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
        await AppendAllAsync(options, Enumerable.Range(1, 10).Select(i => Item($"{{\"kg\":1{i:D3}0}}")));

        // One digit of seq 5's weight changes on the card; the page stays well-formed, so SQLite finds nothing wrong.
        Tamper(options.DatabasePath, 5, "{\"kg\":90050}");
        Assert.Equal("ok", Inspect(options.DatabasePath).Integrity);

        var (moved, _, outbox2) = await OpenWatchedAsync(options);
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
        await AppendAllAsync(options, Enumerable.Range(1, 3).Select(i => Item($"old {i}")));

        // Exactly what an older build left: the same table without the crc column.
        Execute(options.DatabasePath, "ALTER TABLE outbox_item DROP COLUMN crc");

        var (moved, _, outbox2) = await OpenWatchedAsync(options);
        await using (outbox2)
        {
            Assert.Equal(4, await outbox2.AppendAsync(Item("new 4")));
            var entries = await outbox2.ReadAsync(0, 100);
            Assert.Equal(["old 1", "old 2", "old 3", "new 4"], entries.Select(Text));
        }

        Assert.Empty(moved);
        Assert.Equal(
            [(1L, false), (2L, false), (3L, false), (4L, true)],
            Query(options.DatabasePath, "SELECT seq, crc IS NOT NULL FROM outbox_item ORDER BY seq", r => (r.GetInt64(0), r.GetBoolean(1))));
    }

    [Fact]
    public async Task A_row_whose_values_the_outbox_never_writes_is_declared_lost_instead_of_stopping_the_backlog()
    {
        var options = Options("crc-values", o => o.SeqReservationBlock = 100);
        await AppendAllAsync(options, Enumerable.Range(1, 6).Select(i => Item($"r{i}")));

        // A time no clock gives: reading it as a DateTimeOffset throws before any checksum can be compared.
        Execute(options.DatabasePath, "UPDATE outbox_item SET ts_ticks = -5 WHERE seq = 3");

        var (moved, _, outbox2) = await OpenWatchedAsync(options);
        await using (outbox2)
        {
            var entries = await outbox2.ReadAsync(0, 100);
            Assert.Equal(["r1", "r2", "r4", "r5", "r6"], entries.Where(e => e.Kind == "reading").Select(Text));
            await WaitForAsync(() => !moved.IsEmpty);
            var corruption = Assert.Single(moved);
            Assert.Contains("seq 3 holds values the outbox never writes", corruption.Reason, StringComparison.Ordinal);
            Assert.Equal([new OutboxSeqRange(3, 3)], corruption.Salvage.LostRanges);

            // And the backlog flows on: later reads succeed.
            Assert.NotEmpty(await outbox2.ReadAsync(entries[^1].Seq - 1, 10));
        }
    }

    [Fact]
    public async Task Device_ids_beyond_ascii_and_even_ill_formed_ones_read_back_without_being_taken_for_damage()
    {
        var options = Options("crc-text");
        var devices = new[] { "Waage-Süd", "地磅-1", "scale-\uD800-lone", "kind\u0000nul" };
        await AppendAllAsync(options, devices.Select(d => Item("x", device: d)));

        var (moved, _, outbox2) = await OpenWatchedAsync(options);
        await using (outbox2)
        {
            var entries = await outbox2.ReadAsync(0, 100);
            Assert.Equal([1, 2, 3, 4], entries.Select(e => e.Seq));
            Assert.Equal("Waage-Süd", entries[0].DeviceId);
            Assert.Equal("地磅-1", entries[1].DeviceId);
        }

        Assert.Empty(moved);
    }

    [Fact]
    public async Task A_damaged_file_from_before_row_checksums_is_still_salvaged()
    {
        var options = Options("crc-legacy-salvage", o => o.SeqReservationBlock = 100);
        await AppendAllAsync(options, Enumerable.Range(1, 2000).Select(i => Item($"reading {i:D5} " + new string('x', 150))));

        Execute(options.DatabasePath, "ALTER TABLE outbox_item DROP COLUMN crc; PRAGMA wal_checkpoint(TRUNCATE);");
        var length = new FileInfo(options.DatabasePath).Length;
        WriteGarbage(options.DatabasePath, (length / 2 / 4096) * 4096, 2 * 4096);

        var (moved, _, outbox2) = await OpenWatchedAsync(options);
        await using (outbox2)
        {
            await WaitForAsync(() => !moved.IsEmpty);
            var e = Assert.Single(moved);
            Assert.InRange(e.SalvagedItems, 1800, 1999);
            var salvaged = (await outbox2.ReadAsync(0, 10_000)).Where(x => x.Kind == "reading").ToList();
            Assert.Equal(e.SalvagedItems, salvaged.Count);
            Assert.All(salvaged, x => Assert.StartsWith($"reading {x.Seq:D5} ", Text(x), StringComparison.Ordinal));
        }

        // Salvaged rows went into a fresh file, which checksums them.
        Assert.All(Query(options.DatabasePath, "SELECT crc IS NOT NULL FROM outbox_item", r => r.GetBoolean(0)), Assert.True);
    }

    /// <summary>Upgrading a gateway whose card is full must not keep its backlog from being sent.</summary>
    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task A_file_from_before_row_checksums_on_a_full_disk_opens_and_sends_and_gets_them_once_there_is_space()
    {
        var root = TestDirectories.Create("crc-diskfull");
        var mountPoint = Path.Combine(root, "fs");
        Directory.CreateDirectory(mountPoint);
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint), "This test mounts a 1 MiB tmpfs and must run as root (mount from util-linux).");
        try
        {
            var options = new OutboxOptions { DatabasePath = Path.Combine(mountPoint, "outbox.db") };
            await AppendAllAsync(options, Enumerable.Range(1, 5).Select(i => Item($"old {i}")));

            Execute(options.DatabasePath, "ALTER TABLE outbox_item DROP COLUMN crc; PRAGMA wal_checkpoint(TRUNCATE);");
            var filler = Path.Combine(mountPoint, "filler.bin");
            FillDisk(filler);

            var logger = new RecordingLogger<Outbox>();
            await using (var outbox = await OpenAsync(options, logger))
            {
                Assert.Equal(["old 1", "old 2", "old 3", "old 4", "old 5"], (await outbox.ReadAsync(0, 100)).Select(Text));
                Assert.Contains(logger.Entries, l => l.Id.Id == 15019);
            }

            File.Delete(filler);
            await using (var outbox = await OpenAsync(options))
            {
                Assert.Equal(6, await outbox.AppendAsync(Item("new 6")));
                Assert.Equal(6, (await outbox.ReadAsync(0, 100)).Count);
            }

            Assert.Equal(
                [(1L, false), (2L, false), (3L, false), (4L, false), (5L, false), (6L, true)],
                Query(options.DatabasePath, "SELECT seq, crc IS NOT NULL FROM outbox_item ORDER BY seq", r => (r.GetInt64(0), r.GetBoolean(1))));
        }
        finally
        {
            Assert.True(Run("umount", "-l", mountPoint), "umount failed");
        }
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

    private static async Task AppendAllAsync(OutboxOptions options, IEnumerable<OutboxItem> items)
    {
        await using var outbox = await OpenAsync(options);
        foreach (var item in items)
        {
            await outbox.AppendAsync(item);
        }
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

    /// <summary>
    /// Fills the file system, then frees 32 KiB: room for SQLite's shared-memory index of the WAL (which an open of any
    /// WAL database needs), none for a page of the WAL itself.
    /// </summary>
    private static void FillDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // No space left.
        }

        stream.SetLength(stream.Length - (32 * 1024));
    }
}
