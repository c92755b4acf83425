using System.Collections.Concurrent;
using System.Text;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

/// <summary>
/// A corrupt file moved aside is salvaged: readable rows go back with their original seqs, the rest is declared
/// abandoned by declaration items of their own, all in one transaction, exactly once per file.
/// </summary>
public sealed class SalvageTests
{
    [Fact]
    public async Task Readable_rows_of_a_file_with_damaged_pages_come_back_with_their_seqs_and_only_the_rest_is_declared_lost()
    {
        var options = Options("salvage-pages", o => o.SeqReservationBlock = 100);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 2000; i++)
            {
                await outbox.AppendAsync(Item($"reading {i:D5} " + new string('x', 150)));
            }
        }

        var length = new FileInfo(options.DatabasePath).Length;
        WriteGarbage(options.DatabasePath, (length / 2 / 4096) * 4096, 2 * 4096);
        var damaged = await File.ReadAllBytesAsync(options.DatabasePath);

        var (moved, salvages, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(moved);
            Assert.Same(e.Salvage, Assert.Single(salvages));
            Assert.Null(e.Salvage.Error);

            // Two damaged pages hold some dozens of rows: nearly everything comes back.
            Assert.InRange(e.SalvagedItems, 1800, 1999);
            Assert.True(e.UnreadableSeqs >= 2000 - e.SalvagedItems, $"{e.UnreadableSeqs} unreadable, {e.SalvagedItems} salvaged");

            // Salvaged and declared lost are exactly 1..2000 between them, without overlap.
            var entries = await outbox2.ReadAsync(0, 10_000);
            var salvaged = entries.Where(x => x.Seq <= 2000).ToList();
            Assert.Equal(e.SalvagedItems, salvaged.Count);
            var lost = e.Salvage.LostRanges.SelectMany(r => Seqs(r.From, r.To)).ToList();
            Assert.Equal(Seqs(1, 2000), salvaged.Select(x => x.Seq).Concat(lost).Order());

            // Every salvaged row is the row that had that seq, byte for byte.
            Assert.All(salvaged, x => Assert.StartsWith($"reading {x.Seq:D5} ", Text(x), StringComparison.Ordinal));

            // The counter of the file was readable: 2001..floor were reserved, never used.
            var unassigned = Assert.Single(e.Salvage.UnassignedRanges);
            Assert.Equal(2001, unassigned.From);
            Assert.Equal(e.NextSeq - 1, unassigned.To);

            // The declarations are items with seqs of their own, right above the gap, readable for the gateway.
            var declarations = entries.Where(x => x.Kind == OutboxAbandonment.ItemKind).ToList();
            Assert.Equal(e.Salvage.DeclarationSeqs, declarations.Select(x => x.Seq));
            Assert.Equal(e.NextSeq, declarations[0].Seq);
            Assert.True(OutboxAbandonment.TryParse(declarations[0], out var first));
            Assert.Equal(OutboxAbandonment.ReasonCorrupt, first.Reason);
            Assert.Equal(e.Salvage.LostRanges, first.Ranges);
            Assert.Contains("salvaged", first.Note, StringComparison.Ordinal);
            Assert.True(OutboxAbandonment.TryParse(declarations[1], out var second));
            Assert.Equal(OutboxAbandonment.ReasonNeverAssigned, second.Reason);
            Assert.Equal([unassigned], second.Ranges);

            Assert.Equal(e.Salvage.DeclarationSeqs[^1] + 1, await outbox2.AppendAsync(Item("fresh")));
        }

        // The moved file was only read: byte for byte what it was when it was moved.
        var side = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(options.DatabasePath)!, "outbox.db.corrupt-*"), f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith("-wal", StringComparison.Ordinal));
        Assert.Equal(damaged, await File.ReadAllBytesAsync(side));

        // Opening again salvages nothing twice.
        var (again, salvagedAgain, outbox3) = await OpenObservedAsync(options);
        await using (outbox3)
        {
            Assert.Empty(again);
            Assert.Empty(salvagedAgain);
            Assert.Equal(2, (await outbox3.ReadAsync(0, 10_000)).Count(x => x.Kind == OutboxAbandonment.ItemKind));
        }
    }

    [Fact]
    public async Task A_corrupt_file_without_its_seq_side_file_is_still_salvaged_and_new_seqs_start_above_it()
    {
        var options = Options("salvage-no-side-file", o => o.SeqReservationBlock = 100);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 2000; i++)
            {
                await outbox.AppendAsync(Item($"reading {i:D5} " + new string('x', 150)));
            }
        }

        // The card lost the side file along with a few pages of the database.
        File.Delete(options.DatabasePath + ".seq");
        var length = new FileInfo(options.DatabasePath).Length;
        WriteGarbage(options.DatabasePath, (length / 2 / 4096) * 4096, 2 * 4096);

        var (moved, _, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(moved);
            Assert.Null(e.Salvage.Error);
            Assert.InRange(e.SalvagedItems, 1800, 1999);
            Assert.True(e.NextSeq > 2000, $"the fresh database starts at {e.NextSeq}");
            var entries = await outbox2.ReadAsync(0, 10_000);
            var salvaged = entries.Where(x => x.Seq <= 2000).ToList();
            Assert.Equal(e.SalvagedItems, salvaged.Count);
            var lost = e.Salvage.LostRanges.SelectMany(r => Seqs(r.From, r.To)).ToList();
            Assert.Equal(Seqs(1, 2000), salvaged.Select(x => x.Seq).Concat(lost).Order());
            Assert.True(await outbox2.AppendAsync(Item("after")) > 2000);
        }
    }

    [Fact]
    public async Task Seqs_the_hub_acknowledged_are_neither_salvaged_nor_declared()
    {
        var options = Options("salvage-acked", o => o.SeqReservationBlock = 100);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 1000; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }

            Assert.Equal(400, await outbox.AcknowledgeAsync(400, null));
        }

        CorruptPageHolding(options.DatabasePath, 700);
        var (moved, _, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(moved);
            Assert.All(e.Salvage.LostRanges, r => Assert.True(r.From > 400, $"{r.From}-{r.To} reaches below the watermark"));
            Assert.Contains(e.Salvage.LostRanges, r => r.From <= 700 && r.To >= 700);
            var salvaged = (await outbox2.ReadAsync(0, 10_000)).Where(x => x.Kind == "reading").Select(x => x.Seq).ToList();
            Assert.All(salvaged, s => Assert.InRange(s, 401, 1000));
            Assert.Equal(600 - e.Salvage.LostSeqs, salvaged.Count);
        }
    }

    [Fact]
    public async Task A_file_moved_aside_by_a_run_that_died_before_creating_the_fresh_database_sets_its_floor_even_without_the_side_file()
    {
        var options = Options("salvage-crash-no-side", o => o.SeqReservationBlock = 50);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 120; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }
        }

        // Moved aside, then the run died; the side file was lost with the same card.
        File.Move(options.DatabasePath, options.DatabasePath + ".corrupt-20250101T000000.000Z");
        File.Delete(options.DatabasePath + ".seq");

        var (_, salvages, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var s = Assert.Single(salvages);
            Assert.Equal(120, s.SalvagedItems);
            Assert.Empty(s.LostRanges);
            var entries = await outbox2.ReadAsync(0, 1000);
            Assert.Equal(Seqs(1, 120), entries.Where(x => x.Kind == "reading").Select(x => x.Seq));
            Assert.True(await outbox2.AppendAsync(Item("after")) > 170);
        }
    }

    [Fact]
    public async Task With_the_open_check_off_a_damaged_page_found_by_the_first_full_read_is_moved_aside_and_its_rows_renumber_like_any_other()
    {
        var options = Options("salvage-no-check", o =>
        {
            o.SeqReservationBlock = 100;
            o.QuickCheckOnOpen = false;
        });
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 1000; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }
        }

        CorruptPageHolding(options.DatabasePath, 700);
        var (moved, _, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            var e = Assert.Single(moved);
            Assert.True(e.DetectedAtOpen);
            Assert.InRange(e.SalvagedItems, 900, 999);

            // The hub holds up to 5000 from this gateway's earlier life: salvaged rows and declarations move above it.
            Assert.Equal(0, await outbox2.AcknowledgeAsync(5000, null));
            var entries = await outbox2.ReadAsync(0, 10_000);
            Assert.Equal(e.SalvagedItems, entries.Count(x => x.Kind == "reading"));
            Assert.All(entries, x => Assert.True(x.Seq > 5000, $"seq {x.Seq} is one the hub holds other data under"));
        }
    }

    [Fact]
    public async Task A_move_aside_cut_short_after_the_wal_went_is_finished_so_the_rows_only_in_the_wal_are_salvaged()
    {
        var options = Options("salvage-cut-move", o => o.SeqReservationBlock = 50);
        var directory = Path.GetDirectoryName(options.DatabasePath)!;
        var image = Path.Combine(directory, "image");
        Directory.CreateDirectory(image);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 120; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }

            // What a power cut leaves: the database and the WAL holding the commits not yet checkpointed.
            File.Copy(options.DatabasePath, Path.Combine(image, "db"));
            File.Copy(options.DatabasePath + "-wal", Path.Combine(image, "wal"));
        }

        Assert.True(new FileInfo(Path.Combine(image, "wal")).Length > 0, "the image's WAL holds no commits: the test proves nothing");
        File.Delete(options.DatabasePath + "-shm");
        File.Copy(Path.Combine(image, "db"), options.DatabasePath, overwrite: true);

        // MoveAside wrote its marker and moved the WAL, then the run died before the database followed.
        var side = options.DatabasePath + ".corrupt-20250101T000000.000Z";
        await File.WriteAllTextAsync(options.DatabasePath + ".moving", Path.GetFileName(side));
        File.Copy(Path.Combine(image, "wal"), side + "-wal");

        var (moved, salvages, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            Assert.Empty(moved);
            var s = Assert.Single(salvages);
            Assert.Equal(side, s.SideFile);
            Assert.Equal(120, s.SalvagedItems);
            Assert.Empty(s.LostRanges);
            var entries = await outbox2.ReadAsync(0, 1000);
            Assert.Equal(Seqs(1, 120), entries.Where(x => x.Kind == "reading").Select(x => x.Seq));
        }

        Assert.True(File.Exists(side), "the database was not moved after its WAL");
        Assert.False(File.Exists(options.DatabasePath + ".moving"), "the marker of the finished move is still there");
    }

    [Fact]
    public async Task A_moved_wal_without_its_database_and_without_a_move_marker_leaves_a_healthy_database_alone()
    {
        var options = Options("salvage-orphan-wal", o => o.SeqReservationBlock = 50);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 30; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }
        }

        // An earlier move finished long ago; an operator then deleted only the moved database the alert named.
        await File.WriteAllBytesAsync(options.DatabasePath + ".corrupt-20240101T000000.000Z-wal", new byte[4096]);

        var (moved, salvages, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            Assert.Empty(moved);
            Assert.Empty(salvages);
            Assert.Equal(Seqs(1, 30), (await outbox2.ReadAsync(0, 100)).Select(x => x.Seq));
        }

        Assert.True(File.Exists(options.DatabasePath));
    }

    [Fact]
    public async Task A_file_moved_aside_by_a_run_that_died_before_salvaging_it_is_salvaged_at_the_next_open()
    {
        // Exactly what a crash between the move and the salvage's commit leaves: a moved file, its reservation in the
        // side file, and no database (or a fresh one without a salvage row).
        var options = Options("salvage-crash", o => o.SeqReservationBlock = 50);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 120; i++)
            {
                await outbox.AppendAsync(Item($"r{i}"));
            }
        }

        var side = options.DatabasePath + ".corrupt-20250101T000000.000Z";
        File.Move(options.DatabasePath, side);

        var (moved, salvages, outbox2) = await OpenObservedAsync(options);
        await using (outbox2)
        {
            Assert.Empty(moved);
            var s = Assert.Single(salvages);
            Assert.Equal(side, s.SideFile);
            Assert.Equal(120, s.SalvagedItems);
            Assert.Empty(s.LostRanges);
            var unassigned = Assert.Single(s.UnassignedRanges);
            Assert.Equal(121, unassigned.From);
            var entries = await outbox2.ReadAsync(0, 1000);
            Assert.Equal(Seqs(1, 120), entries.Where(x => x.Kind == "reading").Select(x => x.Seq));
            Assert.Equal([unassigned.To + 1], entries.Where(x => x.Kind == OutboxAbandonment.ItemKind).Select(x => x.Seq));
        }

        var (_, again, outbox3) = await OpenObservedAsync(options);
        await using (outbox3)
        {
            Assert.Empty(again);
            Assert.Equal(121, (await outbox3.ReadAsync(0, 1000)).Count);
        }
    }

    [Fact]
    public async Task A_row_the_filter_refuses_is_declared_instead_of_stored()
    {
        var options = Options("salvage-filter", o => o.SeqReservationBlock = 10);
        await using (var outbox = await OpenAsync(options))
        {
            for (var i = 1; i <= 30; i++)
            {
                await outbox.AppendAsync(Item(i == 17 ? "{broken" : $"{{\"n\":{i}}}"));
            }
        }

        var side = options.DatabasePath + ".corrupt-20250101T000000.000Z";
        File.Move(options.DatabasePath, side);
        var outbox2 = new Outbox(options);
        outbox2.SalvageFilter = e => System.Text.Json.JsonDocument.Parse(e.Payload) is { } d && d.RootElement.GetProperty("n").GetInt32() > 0;
        var salvages = new ConcurrentQueue<OutboxSalvageEventArgs>();
        outbox2.CorruptDatabaseSalvaged += (_, e) => salvages.Enqueue(e);
        await outbox2.OpenAsync();
        await using (outbox2)
        {
            await WaitForAsync(() => !salvages.IsEmpty);
            var s = Assert.Single(salvages);
            Assert.Equal(29, s.SalvagedItems);
            Assert.Equal([new OutboxSeqRange(17, 17)], s.LostRanges);
            Assert.Equal(1, s.UnreadableSeqs);
        }
    }

    private static IEnumerable<long> Seqs(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }

    /// <summary>
    /// Overwrites the table leaf page that holds <paramref name="seq"/>, found by reading the file's pages as the
    /// SQLite file format defines them (page type 13 = table leaf; cells start with two varints: size, rowid).
    /// </summary>
    private static void CorruptPageHolding(string path, long seq)
    {
        var file = File.ReadAllBytes(path);
        const int PageSize = 4096;
        for (var page = 1; page * PageSize <= file.Length; page++)
        {
            var start = (page - 1) * PageSize;
            var header = start + (page == 1 ? 100 : 0);
            if (file[header] != 13)
            {
                continue;
            }

            var cells = (file[header + 3] << 8) | file[header + 4];
            for (var c = 0; c < cells; c++)
            {
                var cell = start + ((file[header + 8 + (2 * c)] << 8) | file[header + 9 + (2 * c)]);
                var at = cell;
                ReadVarint(file, ref at);
                if (ReadVarint(file, ref at) == seq)
                {
                    WriteGarbage(path, start, PageSize);
                    return;
                }
            }
        }

        throw new InvalidOperationException($"No leaf page holds seq {seq}.");
    }

    private static long ReadVarint(byte[] bytes, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 9; i++)
        {
            var b = bytes[at++];
            if (i == 8)
            {
                return (value << 8) | b;
            }

            value = (value << 7) | (long)(b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return value;
    }

    private static async Task<(ConcurrentQueue<OutboxCorruptionEventArgs> Moved, ConcurrentQueue<OutboxSalvageEventArgs> Salvaged, Outbox Outbox)> OpenObservedAsync(OutboxOptions options)
    {
        var opened = await OpenWatchedAsync(options);

        // Events are raised on the thread pool; give them a moment (an open that found nothing raises none).
        await Task.Delay(200);
        return opened;
    }
}
