using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts;
using Edge.Gateway.Pipeline;
using Edge.Gateway.Tests.Support;
using Edge.Outbox;
using Edge.TestSupport;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>
/// An outbox entry that passed its checksum but that this build cannot turn into a message, through the real gateway
/// executable: it is declared lost to the hub once, removed, and the hub's watermark moves past it.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class UndecodableEntryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset s_ts = DateTimeOffset.UtcNow.AddMinutes(-5);

    [Fact]
    public async Task An_entry_the_gateway_cannot_decode_is_declared_lost_once_and_removed_and_the_hub_moves_past_it()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        var directory = TestDirectories.Create("gateway");
        var outboxPath = Path.Combine(directory, "state", "outbox.db");

        // Written through the outbox, so their checksums hold: a reading whose JSON a format change broke, and an
        // entry of a kind only a newer build knows, between readings that are fine.
        await using (var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = outboxPath }))
        {
            await outbox.OpenAsync();
            await outbox.AppendAsync(Counter(1));
            await outbox.AppendAsync(new OutboxItem(Payloads.ReadingKind, "pc1", s_ts, true, Encoding.UTF8.GetBytes("""{"kind":"counter","device":"pc1","raw":""")));
            await outbox.AppendAsync(Counter(3));
            await outbox.AppendAsync(new OutboxItem("reading.v9", "pc1", s_ts, true, Encoding.UTF8.GetBytes("""{"raw":4}""")));
            await outbox.AppendAsync(Counter(5));
        }

        await using var hub = await HubStandIn.StartAsync(broker, id);
        var config = GatewayProcess.Config(id, broker, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 5 });
        using var gw = GatewayProcess.Start(config, directory: directory);

        await LifecycleTests.WaitUntilAsync(() => hub.Declarations.Values.Any(d => d.Covers(2)) && hub.Declarations.Values.Any(d => d.Covers(4)), gw, s_patience);
        var declared = hub.Declarations.Values.Where(d => d.Covers(2) || d.Covers(4)).ToList();
        Assert.All(declared, d => Assert.Equal(SeqAbandonment.OutboxCorrupt, d.Reason));
        Assert.All(declared, d => Assert.Contains("cannot decode", d.Note, StringComparison.Ordinal));
        Assert.All(declared, d => Assert.True(d.Seq > 5, "a declaration takes a seq of its own, above what it declares"));

        // The gap is closed: the watermark passes the declarations and goes on with the live readings.
        var last = declared.Max(d => d.Seq);
        await LifecycleTests.WaitUntilAsync(() => hub.Watermark > last + 5, gw, s_patience);
        Assert.Equal([1L, 3L, 5L], hub.Readings.Keys.Where(s => s <= 5).Order());
        Assert.Empty(hub.Conflicts);

        // Past a resend timeout (5 s) and the acknowledgement: one error per entry, not one per resend.
        await Task.Delay(TimeSpan.FromSeconds(6));
        await hub.AcknowledgeNowAsync();
        await Task.Delay(500);
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)), gw.Output);
        Assert.Equal(1, Occurrences(gw.Output, "Outbox entry 2 (reading of pc1"));
        Assert.Equal(1, Occurrences(gw.Output, "Outbox entry 4 (reading.v9 of pc1"));
        Assert.Equal(2, Occurrences(gw.Output, "this build cannot decode it"));

        foreach (var line in gw.Output.Split('\n').Where(l => l.Contains("cannot decode", StringComparison.Ordinal) || l.Contains("gave up", StringComparison.Ordinal) || l.Contains("abandonment", StringComparison.Ordinal)))
        {
            output.WriteLine(line);
        }

        // Neither is left in the outbox to be tried again.
        Assert.DoesNotContain(SeqsIn(outboxPath), s => s is 2 or 4);
    }

    private static OutboxItem Counter(long raw)
    {
        var r = new CounterReading { Seq = 1, Device = "pc1", Ts = s_ts.AddSeconds(raw), Raw = (ulong)raw, Delta = 1, Epoch = 0, Width = 64 };
        return new OutboxItem(Payloads.ReadingKind, r.Device, r.Ts, true, Payloads.Serialize(r));
    }

    private static int Occurrences(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static List<long> SeqsIn(string path)
    {
        var seqs = new List<long>();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM outbox_item ORDER BY seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }
}
