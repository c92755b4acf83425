using System.Text.Json.Nodes;
using Edge.Contracts;
using Edge.Gateway.Pipeline;
using Edge.Gateway.Tests.Support;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>
/// The whole path of a corrupt outbox file through the real gateway executable: damage while it is stopped, start,
/// salvage, delivery with the original seqs, declaration of the rest, and a hub that moves on so the outbox drains.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class OutboxSalvageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Damaged_outbox_is_salvaged_with_original_seqs_the_rest_declared_and_the_acknowledgement_passes_the_gap()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");

        // 1. The gateway takes readings while no broker is reachable, so everything stays in its outbox.
        var offline = GatewayProcess.Config(id, broker: null, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 400 });
        long accepted;
        string directory;
        using (var first = GatewayProcess.Start(offline))
        {
            directory = first.Directory;
            await LifecycleTests.WaitUntilAsync(() => first.HighestReportedSeq() >= 1500, first);
            first.Process.Terminate();
            Assert.True(await first.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)), first.Output);
            accepted = first.HighestReportedSeq();
        }

        var outboxPath = Path.Combine(directory, "state", "outbox.db");
        var before = ReadRows(outboxPath);
        Assert.Equal(Enumerable.Range(1, (int)accepted).Select(i => (long)i), before.Keys);

        // 2. While it is stopped, two pages in the middle of the file are overwritten.
        var length = new FileInfo(outboxPath).Length;
        Overwrite(outboxPath, (length / 2 / 4096) * 4096, 2 * 4096);
        var damaged = await File.ReadAllBytesAsync(outboxPath);

        // 3. Started again, now with the broker and a hub that acknowledges by the contract.
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var online = GatewayProcess.Config(id, broker, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 50 });
        using var gw = GatewayProcess.Start(online, directory: directory);
        await gw.WaitForOutputAsync("moved aside", s_patience);
        // The two declarations are two messages: wait for both, the second may still be on its way.
        await LifecycleTests.WaitUntilAsync(
            () => hub.Declarations.Values.Any(d => d.Reason == SeqAbandonment.OutboxCorrupt) && hub.Declarations.Values.Any(d => d.Reason == SeqAbandonment.NeverAssigned),
            gw,
            s_patience);
        var lost = hub.Declarations.Values.Where(d => d.Reason == SeqAbandonment.OutboxCorrupt).ToList();
        var unused = Assert.Single(hub.Declarations.Values, d => d.Reason == SeqAbandonment.NeverAssigned);
        var lastDeclaration = hub.Declarations.Keys.Max();

        // The acknowledgement passes the gap and the live readings after it: the hub's watermark is not stuck.
        await LifecycleTests.WaitUntilAsync(() => hub.Watermark > lastDeclaration + 20, gw, s_patience);
        Assert.Empty(hub.Conflicts);

        // The corrupt file stays, exactly as it was damaged.
        var side = Assert.Single(Directory.GetFiles(Path.Combine(directory, "state"), "outbox.db.corrupt-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        Assert.Equal(damaged, await File.ReadAllBytesAsync(side));

        // Every old seq is either delivered with its original content or declared lost: never both, never neither.
        var delivered = hub.Readings.Keys.Where(s => s <= accepted).ToHashSet();
        var declared = lost.SelectMany(d => d.Ranges).SelectMany(r => Seqs(r.From, r.To)).ToHashSet();
        Assert.NotEmpty(declared);
        Assert.InRange(delivered.Count, accepted - 200, accepted - 1);
        Assert.Empty(delivered.Intersect(declared));
        Assert.Equal(before.Keys.ToHashSet(), delivered.Union(declared).ToHashSet());
        foreach (var seq in delivered)
        {
            var original = Assert.IsType<CounterReading>(Payloads.DeserializeReading(before[seq]));
            var received = Assert.IsType<CounterReading>(hub.Readings[seq]);
            Assert.Equal((original.Raw, original.Delta, original.Ts), (received.Raw, received.Delta, received.Ts));
        }

        // The numbers reserved ahead and never used are declared as such, right up to the first declaration.
        var unusedRange = Assert.Single(unused.Ranges);
        Assert.Equal(accepted + 1, unusedRange.From);
        Assert.Equal(hub.Declarations.Keys.Min() - 1, unusedRange.To);
        Assert.All(hub.Declarations.Values, d => Assert.True(d.Ranges[^1].To < d.Seq));

        // 4. Stopped again: nothing at or below the declarations is left in the outbox, it drained past the gap.
        await hub.AcknowledgeNowAsync();
        await Task.Delay(500);
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)), gw.Output);
        Assert.DoesNotContain(ReadRows(outboxPath).Keys, s => s <= lastDeclaration);
        Assert.Contains("items salvaged", gw.Output, StringComparison.Ordinal);
        foreach (var line in gw.Output.Split('\n').Where(l => l.Contains("salvage", StringComparison.OrdinalIgnoreCase) || l.Contains("abandonment", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }
    }

    private static IEnumerable<long> Seqs(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }

    private static SortedDictionary<long, byte[]> ReadRows(string path)
    {
        var rows = new SortedDictionary<long, byte[]>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, payload FROM outbox_item ORDER BY seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
        }

        return rows;
    }

    private static void Overwrite(string path, long offset, int count)
    {
        var garbage = new byte[count];
        new Random(7).NextBytes(garbage);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
        stream.Position = offset;
        stream.Write(garbage);
        stream.Flush(flushToDisk: true);
    }
}
