using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.Contracts;
using Edge.Gateway.Tests.Support;
using Edge.Outbox;
using Edge.TestSupport;

namespace Edge.Gateway.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed partial class LifecycleTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    private static JsonObject Synthetic(double rate) => new() { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = rate };

    [Fact]
    public async Task Sigterm_stops_within_5_s_with_the_outbox_consistent_and_a_graceful_death()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var hub = await HubStandIn.StartAsync(broker, id, acknowledge: false);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(id, broker, Synthetic(500)));
        await gw.WaitForOutputAsync("Connected to", s_patience);
        await WaitUntilAsync(() => hub.Stored.Count > 300, gw);

        var sw = Stopwatch.StartNew();
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(5)), "not stopped within 5 s:\n" + gw.Output);
        sw.Stop();
        Assert.Equal(0, gw.Process.ExitCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), sw.Elapsed.ToString());

        var stopped = StoppedLine().Match(gw.Output);
        Assert.True(stopped.Success, gw.Output);
        var lastSeq = long.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture);
        var pending = long.Parse(stopped.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(lastSeq, pending);

        // The file opens cleanly (no corruption, no recovery) and holds exactly seqs 1..lastSeq.
        var corrupt = false;
        await using (var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = gw.OutboxPath }))
        {
            outbox.CorruptDatabaseMovedAside += (_, _) => corrupt = true;
            await outbox.OpenAsync();
            Assert.Equal(lastSeq, outbox.LastSeq);
            var entries = await outbox.ReadAsync(0, 1_000_000);
            Assert.Equal(Enumerable.Range(1, (int)lastSeq).Select(i => (long)i), entries.Select(e => e.Seq));
        }

        Assert.False(corrupt);
        await WaitUntilAsync(() => hub.Deaths.Any(d => d.Graceful), gw);
        var death = hub.Deaths.Last(d => d.Graceful);
        Assert.Equal(hub.Births.Last().Session, death.Session);
        Assert.Equal(lastSeq, death.Seq);
    }

    [Fact]
    public async Task A_corrupt_outbox_file_is_moved_aside_reported_and_the_gateway_runs_on()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        var dir = TestDirectories.Create("gateway");
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        var garbage = new byte[16384];
        new Random(5).NextBytes(garbage);
        "SQLite format 3\0"u8.CopyTo(garbage);
        await File.WriteAllBytesAsync(Path.Combine(dir, "state", "outbox.db"), garbage);

        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(id, broker, Synthetic(100)), directory: dir);

        await gw.WaitForOutputAsync("moved aside", s_patience);
        await WaitUntilAsync(() => hub.Stored.Count >= 50, gw);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "state"), "outbox.db.corrupt-*"));

        // Reported to the hub too, not only in the log: the outbox's health is degraded and says where the file went.
        await WaitUntilAsync(() => hub.Health.Any(h => h.Device == "gateway.outbox" && h.State == DeviceState.Degraded && h.Message!.Contains("moved aside to", StringComparison.Ordinal)), gw);
        Assert.Contains("Ready:", gw.Output, StringComparison.Ordinal);
        Assert.False(gw.Process.HasExited);
    }

    [Fact]
    public async Task Quota_reached_refuses_readings_with_an_alarm_in_health_and_loses_nothing_accepted()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var hub = await HubStandIn.StartAsync(broker, id, acknowledge: false);
        var config = GatewayProcess.Config(id, broker, Synthetic(400));
        config["Gateway"]!["Outbox"]!["MaxBytes"] = 256 * 1024;
        config["Gateway"]!["Outbox"]!["ResendTimeout"] = "00:00:02";
        using var gw = GatewayProcess.Start(config);

        // No acknowledgements: the outbox fills up and refuses; health says so, retained.
        await WaitUntilAsync(() => hub.Health.Any(h => h.Device == "gateway.outbox" && h.State == DeviceState.Down), gw, TimeSpan.FromSeconds(60));
        var alarm = hub.Health.First(h => h.Device == "gateway.outbox" && h.State == DeviceState.Down);
        Assert.Contains("outbox full", alarm.Message, StringComparison.Ordinal);
        await gw.WaitForOutputAsync("refused since start", s_patience);
        await WaitUntilAsync(() => RefusedSoFar(gw) > 0, gw);

        // The hub comes back: everything that was accepted is delivered, the alarm clears, readings flow again.
        hub.Acknowledging = true;
        await hub.AcknowledgeNowAsync();
        await WaitUntilAsync(() => hub.Health.Any(h => h.Device == "gateway.outbox" && h.State == DeviceState.Ok && h.Seq > alarm.Seq), gw, TimeSpan.FromSeconds(60));
        var afterRecovery = gw.HighestReportedSeq();
        await WaitUntilAsync(() => gw.HighestReportedSeq() > afterRecovery + 200, gw);

        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var last = gw.HighestReportedSeq();
        await hub.AcknowledgeNowAsync();
        using var restarted = GatewayProcess.Start(gw.Configuration, directory: gw.Directory);
        await WaitUntilAsync(() => hub.HasAllThrough(last), restarted, TimeSpan.FromSeconds(60));

        Assert.Empty(hub.Conflicts);

        // Refused readings were folded into later ones: the deltas still add up to every reading produced.
        var syn = hub.Readings.Values.OfType<CounterReading>().Where(r => r.Seq <= last).GroupBy(r => r.Epoch).First();
        var produced = syn.Max(r => r.Raw);
        var summed = syn.Aggregate(0UL, (s, r) => s + r.Delta);
        Assert.True(summed <= produced && summed >= produced - 1100, $"sum of deltas {summed}, readings produced {produced}");
    }

    internal static long RefusedSoFar(GatewayProcess gw)
    {
        long max = 0;
        foreach (Match m in RefusedLine().Matches(gw.Output))
        {
            max = Math.Max(max, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return max;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, GatewayProcess gw, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? s_patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time; gateway output:\n" + gw.Output);
            }

            if (gw.Process.HasExited)
            {
                throw new InvalidOperationException($"gateway exited with {gw.Process.ExitCode}:\n" + gw.Output);
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"outbox closed at seq (\d+) with (\d+) readings")]
    private static partial Regex StoppedLine();

    [GeneratedRegex(@"(\d+) refused since start; connected")]
    private static partial Regex RefusedLine();
}
