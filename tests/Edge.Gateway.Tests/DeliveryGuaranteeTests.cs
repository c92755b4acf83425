using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.Gateway.Tests.Support;
using Edge.TestSupport;
using Xunit.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>The promise: every reading the gateway accepted reaches the store exactly once, whatever happens.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed partial class DeliveryGuaranteeTests(ITestOutputHelper output)
{
    private const int Kills = 20;

    [Fact]
    public async Task Sigkill_at_random_points_20_times_at_1000_readings_per_s_loses_and_duplicates_nothing()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var config = GatewayProcess.Config(id, broker, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 1000 });
        config["Gateway"]!["Publishing"]!["ProgressLogInterval"] = "00:00:00.100";
        config["Gateway"]!["Outbox"]!["ResendTimeout"] = "00:00:03";
        using var gw = GatewayProcess.Start(config);
        var random = new Random(Environment.TickCount);
        long reported = 0;

        for (var kill = 0; kill < Kills; kill++)
        {
            await gw.WaitForOutputAsync("accepted through seq", TimeSpan.FromSeconds(30));
            await Task.Delay(random.Next(200, 1500));
            reported = Math.Max(reported, gw.HighestReportedSeq());
            gw.Process.KillHard();
            gw.Restart();
        }

        // A last run without the generator delivers the backlog; its ready line says where the outbox stands.
        gw.Process.KillHard();
        config["Gateway"]!["Devices"] = new JsonArray();
        await File.WriteAllTextAsync(gw.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        gw.Restart();
        await gw.WaitForOutputAsync("Ready:", TimeSpan.FromSeconds(30));
        var accepted = long.Parse(ReadyLine().Match(gw.Output).Groups[1].Value, CultureInfo.InvariantCulture);
        await LifecycleTests.WaitUntilAsync(() => hub.Watermark >= accepted, gw, TimeSpan.FromSeconds(120));
        await gw.WaitForOutputAsync($"accepted through seq {accepted}; 0 awaiting the hub", TimeSpan.FromSeconds(30));
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains($"outbox closed at seq {accepted} with 0 readings", gw.Output, StringComparison.Ordinal);

        output.WriteLine($"accepted {accepted}, reported before kills {reported}, stored {hub.Stored.Count}, deliveries {hub.Deliveries} ({hub.ReplayedDeliveries} replayed)");
        Assert.Empty(hub.Conflicts);
        Assert.True(reported <= accepted, $"reported {reported} > accepted {accepted}");
        Assert.True(reported > Kills * 100, $"only {reported} readings before the last kill");
        Assert.Equal(accepted, hub.Stored.Count);
        Assert.Empty(hub.MissingThrough(accepted));
    }

    [Fact]
    public async Task Broker_down_for_the_outage_then_back_loses_nothing_and_readings_keep_being_accepted()
    {
        var outage = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("EDGE_TEST_BROKER_OUTAGE_S") ?? "600", CultureInfo.InvariantCulture));
        await using var broker = await MosquittoBroker.StartAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var config = GatewayProcess.Config(id, broker, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 200 });
        using var gw = GatewayProcess.Start(config);
        await LifecycleTests.WaitUntilAsync(() => hub.Stored.Count > 200, gw);

        broker.Stop();
        var atStart = gw.HighestReportedSeq();
        var quarter = outage / 4;
        var during = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(quarter);
            during.Add(gw.HighestReportedSeq());
            Assert.False(gw.Process.HasExited, gw.Output);
        }

        var atEnd = gw.HighestReportedSeq();
        await broker.StartAgainAsync();

        // Readings were accepted all through the outage, not only before it.
        Assert.True(during.Zip(during.Skip(1)).All(p => p.Second > p.First), string.Join(", ", during));
        Assert.True(atEnd - atStart >= (long)(outage.TotalSeconds * 200 * 0.8), $"accepted {atEnd - atStart} during {outage}");

        await LifecycleTests.WaitUntilAsync(() => hub.HasAllThrough(atEnd), gw, TimeSpan.FromSeconds(120) + (outage / 10));
        output.WriteLine($"outage {outage}: seqs {atStart}..{atEnd} accepted offline, all stored; deliveries {hub.Deliveries} ({hub.ReplayedDeliveries} replayed)");
        Assert.Empty(hub.Conflicts);
    }

    [GeneratedRegex(@"Ready: \d+ devices, outbox at seq (\d+)")]
    private static partial Regex ReadyLine();
}
