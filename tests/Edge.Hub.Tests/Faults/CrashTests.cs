using System.Net.Http.Json;
using System.Text.Json;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Hub.Tests.Faults;

/// <summary>
/// The hub as its own process, SIGKILLed by its test-only crash hook right after InfluxDB answered 204 (before the
/// state-store commit) or right after the commit (before the acknowledgement), 20 times, while the test gateway keeps
/// publishing and replays whatever stays unacknowledged, as the real outbox does.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class CrashTests(ITestOutputHelper output)
{
    private const int Kills = 20;

    [Fact]
    public async Task Twenty_kills_between_influx_write_and_acknowledgement_lose_nothing_and_duplicate_nothing()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "crash");
        await using var gw = await TestGateway.StartAsync(broker, settings.Site, replayAfter: TimeSpan.FromSeconds(2));
        var random = new Random(20250520);

        for (var kill = 1; kill <= Kills; kill++)
        {
            var point = kill % 2 == 0 ? "after-write" : "after-commit";
            var env = new Dictionary<string, string>
            {
                ["EDGE_HUB_TEST_CRASH_POINT"] = point,
                ["EDGE_HUB_TEST_CRASH_AFTER"] = random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            using var hub = await HubProcess.StartAsync(settings, env, waitReady: false);

            // A line keeps producing while the hub starts, works and dies; whatever it has not acknowledged is
            // replayed, so the hook always meets a write and a commit.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!hub.HasExited && DateTime.UtcNow < deadline)
            {
                await gw.PublishBatchesAsync(5, 10);
                await Task.Delay(100);
            }

            Assert.True(await hub.WaitForExitAsync(TimeSpan.FromSeconds(5)), $"kill {kill} ({point}): the hub did not crash.\n{hub.Output}");
            Assert.Contains("TEST CRASH HOOK ARMED", hub.Output, StringComparison.Ordinal);
            output.WriteLine($"kill {kill} at {point}: {gw.OutstandingCount} unacknowledged, last ack through {gw.LastAck?.StoredThrough}");
        }

        using var final = await HubProcess.StartAsync(settings);
        await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(120), () => final.Output);

        var n = gw.LastSeq;
        Assert.Equal(InfluxCounts.Expected(n), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));

        // The state store counted every counter reading exactly once across all the crashes.
        using var http = final.Client(HubSettings.PlannerKey);
        var counters = await http.GetFromJsonAsync<JsonElement>($"api/v1/counters?gateway={gw.GatewayId}");
        Assert.Equal(n / 2, counters[0].GetProperty("total").GetInt64());
        Assert.Equal(n / 2, counters[0].GetProperty("readings").GetInt64());
        var gateway = await http.GetFromJsonAsync<JsonElement>($"api/v1/gateways/{gw.GatewayId}");
        Assert.Equal(n, gateway.GetProperty("storedThrough").GetInt64());
        output.WriteLine($"{n} readings, {gw.Replayed} replayed batches, {gw.AcksReceived} acknowledgements");
        await final.StopAsync();
    }
}
