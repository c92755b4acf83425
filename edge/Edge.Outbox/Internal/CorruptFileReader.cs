using Microsoft.Data.Sqlite;

namespace Edge.Outbox.Internal;

/// <summary>
/// Reads what can still be read of a corrupt outbox file that was moved aside. The file is opened read-only (its WAL
/// is read as it was, nothing is ever written to it) and rows are fetched in seq order, a small chunk at a time. When
/// SQLite reports damage, the next row is looked up by its key alone; if even that seek fails, the next seq from which
/// a seek works is found by probing ever further ahead and then bisecting. So one damaged page costs the rows on
/// that page, not everything after it.
/// </summary>
/// <remarks>
/// Every failure is contained: a file that cannot be opened at all reads as empty. A row whose values are not what
/// the outbox writes (wrong types, impossible times, a payload shorter than its recorded length, a row that does not
/// match its <see cref="RowChecksum"/>) counts as unreadable: SQLite has no page checksums, so these checks are the
/// only guard against garbage that parses. Rows an older build wrote have no checksum and get only the other checks.
/// </remarks>
internal sealed class CorruptFileReader : IDisposable
{
    private const int ChunkRows = 64;

    // Bounds the memory one chunk may hold (payloads are up to 1 MiB each, normally a few hundred bytes).
    private const long ChunkBytes = 4L * 1024 * 1024;

    private readonly SqliteConnection? _connection;

    private CorruptFileReader(SqliteConnection? connection, string? openError)
    {
        _connection = connection;
        OpenError = openError;
    }

    /// <summary>Why the file could not be opened at all; null when it could.</summary>
    internal string? OpenError { get; }

    /// <summary>Whether the file carries another application's id (a foreign file was moved aside, not an outbox).</summary>
    internal bool IsForeign { get; private set; }

    /// <summary>Whether the file's rows have the checksum column (files an older build created do not).</summary>
    private bool HasChecksums { get; set; }

    /// <summary>Opens <paramref name="path"/> read-only; never throws.</summary>
    internal static CorruptFileReader Open(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();

            // Stricter cell checks find more damage as damage instead of as odd values; query_only is a second lock on
            // the door besides the read-only open.
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA cell_size_check = ON; PRAGMA query_only = ON;";
                command.ExecuteNonQuery();
            }

            var reader = new CorruptFileReader(connection, null);
            var applicationId = reader.Scalar("PRAGMA application_id");
            reader.IsForeign = applicationId is long id && id != 0 && id != OutboxDatabase.ApplicationId;
            reader.HasChecksums = reader.HasChecksumColumn();
            return reader;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            return new CorruptFileReader(null, ex.Message);
        }
    }

    /// <summary>A value of <c>outbox_meta</c>; null when absent or unreadable.</summary>
    internal long? ReadMeta(string key)
    {
        var value = Scalar("SELECT value FROM outbox_meta WHERE key = $key", key);
        return value is long v && v >= 0 ? v : null;
    }

    /// <summary>
    /// The highest seq the file says it reached, from its counter, its watermark and its largest key, whichever are
    /// readable; null when none is (or the file is not an outbox).
    /// </summary>
    internal long? ReadHighestSeq()
    {
        if (_connection is null || IsForeign)
        {
            return null;
        }

        long? highest = null;
        foreach (var value in new[] { ReadMeta("last_seq"), ReadMeta("acked_through"), Scalar("SELECT max(seq) FROM outbox_item") as long? })
        {
            if (value is { } v && v > (highest ?? 0))
            {
                highest = v;
            }
        }

        return highest;
    }

    /// <summary>
    /// Hands every readable row with seq in (<paramref name="after"/>, <paramref name="upper"/>] to
    /// <paramref name="onRow"/> in seq order, and every span of seqs that could not be read to
    /// <paramref name="onUnreadable"/>. The callbacks run outside any read of this file, so an exception they throw is
    /// theirs, never mistaken for damage here.
    /// </summary>
    internal void Scan(long after, long upper, Action<OutboxEntry> onRow, Action<long, long> onUnreadable)
    {
        if (_connection is null || IsForeign)
        {
            return;
        }

        var rows = new List<OutboxEntry>(ChunkRows);
        var rejected = new List<long>();
        while (after < upper)
        {
            rows.Clear();
            rejected.Clear();
            var outcome = ReadChunk(after, upper, rows, rejected, out var last);
            var r = 0;
            foreach (var seq in rejected)
            {
                // Rows and rejected seqs came interleaved in seq order; hand them back the same way.
                while (r < rows.Count && rows[r].Seq < seq)
                {
                    onRow(rows[r++]);
                }

                onUnreadable(seq, seq);
            }

            while (r < rows.Count)
            {
                onRow(rows[r++]);
            }

            after = last;
            if (outcome == ChunkOutcome.End)
            {
                return;
            }

            if (outcome == ChunkOutcome.More)
            {
                continue;
            }

            // Damaged after `after`. If the next key can still be sought, read that one row alone: a sequential read
            // may have failed on the way to it while the row itself is intact.
            var next = TrySeekNext(after, upper, out var seekFailed);
            if (!seekFailed)
            {
                if (next is null)
                {
                    return;
                }

                rows.Clear();
                rejected.Clear();
                if (ReadChunk(next.Value - 1, next.Value, rows, rejected, out _) != ChunkOutcome.Damaged && rows.Count == 1)
                {
                    onRow(rows[0]);
                }
                else
                {
                    onUnreadable(next.Value, next.Value);
                }

                after = next.Value;
                continue;
            }

            var from = FindSeekableFrom(after + 1, upper);
            if (from is null)
            {
                onUnreadable(after + 1, upper);
                return;
            }

            if (from.Value > after + 1)
            {
                onUnreadable(after + 1, from.Value - 1);
            }

            after = from.Value - 1;
        }
    }

    public void Dispose() => _connection?.Dispose();

    private static long? AsTicks(object value) => value is long t && t >= 0 && t <= DateTime.MaxValue.Ticks ? t : null;

    private ChunkOutcome ReadChunk(long after, long upper, List<OutboxEntry> rows, List<long> rejected, out long last)
    {
        last = after;
        long bytes = 0;
        var count = 0;
        try
        {
            using var command = _connection!.CreateCommand();
            command.CommandText = HasChecksums
                ? "SELECT seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, length(payload), payload, crc FROM outbox_item WHERE seq > $after AND seq <= $upper ORDER BY seq LIMIT $limit"
                : "SELECT seq, kind, device_id, ts_ticks, clock_synced, accepted_ticks, length(payload), payload, NULL FROM outbox_item WHERE seq > $after AND seq <= $upper ORDER BY seq LIMIT $limit";
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$upper", upper);
            command.Parameters.AddWithValue("$limit", ChunkRows);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                count++;
                if (reader.GetValue(0) is not long seq || seq <= last || seq > upper)
                {
                    // Keys out of order can only come from a damaged page that still parses.
                    return ChunkOutcome.Damaged;
                }

                var entry = ToEntry(seq, reader);
                if (entry is null)
                {
                    rejected.Add(seq);
                }
                else
                {
                    rows.Add(entry);
                    bytes += entry.Payload.Length;
                }

                last = seq;
                if (bytes >= ChunkBytes)
                {
                    return ChunkOutcome.More;
                }
            }
        }
        catch (SqliteException)
        {
            return ChunkOutcome.Damaged;
        }

        return count < ChunkRows ? ChunkOutcome.End : ChunkOutcome.More;
    }

    private static OutboxEntry? ToEntry(long seq, SqliteDataReader reader)
    {
        try
        {
            if (reader.GetValue(1) is not string kind || kind.Length is 0 or > OutboxItem.MaxKindLength || string.IsNullOrWhiteSpace(kind)
                || reader.GetValue(2) is not string device || device.Length is 0 or > OutboxItem.MaxDeviceIdLength || string.IsNullOrWhiteSpace(device)
                || AsTicks(reader.GetValue(3)) is not { } ts
                || reader.GetValue(4) is not long synced || synced is not (0 or 1)
                || AsTicks(reader.GetValue(5)) is not { } accepted
                || reader.GetValue(6) is not long length || length > OutboxItem.MaxPayloadBytes
                || reader.GetValue(7) is not byte[] payload || payload.Length != length)
            {
                return null;
            }

            var entry = new OutboxEntry(seq, kind, device, new DateTimeOffset(ts, TimeSpan.Zero), synced == 1, new DateTimeOffset(accepted, TimeSpan.Zero), payload);
            return reader.GetValue(8) switch
            {
                DBNull => entry,
                long crc when crc == OutboxDatabase.Checksum(entry) => entry,
                _ => null,
            };
        }
        catch (SqliteException)
        {
            // A column on a damaged overflow page: this row is lost, the next one may not be.
            return null;
        }
    }

    /// <summary>The first key above <paramref name="after"/> (null: none), or <paramref name="failed"/> when the seek itself hits damage.</summary>
    private long? TrySeekNext(long after, long upper, out bool failed)
    {
        failed = false;
        try
        {
            using var command = _connection!.CreateCommand();
            command.CommandText = "SELECT seq FROM outbox_item WHERE seq > $after AND seq <= $upper ORDER BY seq LIMIT 1";
            command.Parameters.AddWithValue("$after", after);
            command.Parameters.AddWithValue("$upper", upper);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            if (reader.GetValue(0) is long seq && seq > after && seq <= upper)
            {
                return seq;
            }
        }
        catch (SqliteException)
        {
            // Falls through to failed.
        }

        failed = true;
        return null;
    }

    /// <summary>The smallest seq in [<paramref name="from"/>, <paramref name="upper"/>] from which a seek works; null when none does.</summary>
    private long? FindSeekableFrom(long from, long upper)
    {
        // Probe ever further ahead, then bisect between the last failure and the first success. A damaged page covers
        // one contiguous span of keys, so "a seek from here works" flips once across it.
        var failedAt = from - 1;
        long step = 1;
        long probe = from;
        while (true)
        {
            TrySeekNext(probe - 1, upper, out var failed);
            if (!failed)
            {
                break;
            }

            failedAt = probe;
            if (probe >= upper)
            {
                return null;
            }

            step = step >= long.MaxValue / 4 ? long.MaxValue / 2 : step * 2;
            probe = upper - from < step ? upper : from + step;
        }

        var low = failedAt + 1;
        var high = probe;
        while (low < high)
        {
            var mid = low + ((high - low) / 2);
            TrySeekNext(mid - 1, upper, out var failed);
            if (failed)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return high;
    }

    /// <summary>
    /// Whether the rows have the checksum column. When even the schema cannot be read, only SQLite saying there is no
    /// such column turns the checks off; any other failure keeps them, and damaged rows are then found as damage.
    /// </summary>
    private bool HasChecksumColumn()
    {
        try
        {
            return OutboxDatabase.HasChecksumColumn(_connection!);
        }
        catch (SqliteException)
        {
            // The schema is damaged: ask the table itself.
        }

        try
        {
            using var command = _connection!.CreateCommand();
            command.CommandText = "SELECT crc FROM outbox_item LIMIT 0";
            using var reader = command.ExecuteReader();
            return true;
        }
        catch (SqliteException ex)
        {
            return !ex.Message.Contains("no such column", StringComparison.Ordinal);
        }
    }

    private object? Scalar(string sql, string? key = null)
    {
        try
        {
            using var command = _connection!.CreateCommand();
            command.CommandText = sql;
            if (key is not null)
            {
                command.Parameters.AddWithValue("$key", key);
            }

            return command.ExecuteScalar();
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    private enum ChunkOutcome
    {
        End,
        More,
        Damaged,
    }
}
