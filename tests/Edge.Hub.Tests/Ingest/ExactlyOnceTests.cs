using System.Net.Http.Json;
using System.Text.Json;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Ingest;

/// <summary>The exactly-once path end to end: test gateway → real Mosquitto → hub → real influxd and SQLite → ack.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class ExactlyOnceTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_reading_is_stored_in_influx_exactly_once_and_acknowledged()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "exactly-once");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);

        await gw.PublishBatchesAsync(messages: 300, perMessage: 10);
        await gw.WaitAllAckedAsync(s_settle);

        var counts = await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId);
        Assert.Equal(InfluxCounts.Expected(3000), counts);
        Assert.Equal(3000, gw.LastAck!.StoredThrough);
        Assert.Null(gw.LastAck.Ranges);
        var metrics = await hub.Client().GetStringAsync("metrics");
        Assert.Equal(3000, HubHttp.ParseMetric(metrics, "edge_hub_readings_stored_total"));
        Assert.Equal(0, HubHttp.ParseMetric(metrics, "edge_hub_duplicates_dropped_total"));
        var counters = await hub.Client().GetFromJsonAsync<JsonElement>("api/v1/counters?gateway=" + gw.GatewayId);
        var total = Assert.Single(counters.EnumerateArray());
        Assert.Equal(1500, total.GetProperty("total").GetInt64());
        Assert.Equal(1500, total.GetProperty("readings").GetInt64());
    }

    [Fact]
    public async Task Readings_sent_again_are_dropped_as_duplicates_and_acknowledged_again()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "duplicates");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await gw.PublishBatchesAsync(messages: 50, perMessage: 10);
        await gw.WaitAllAckedAsync(s_settle);
        var acksBefore = gw.AcksReceived;

        await gw.ResendAsync(1, 500);
        await WaitUntilAsync(async () => HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_duplicates_dropped_total") >= 500, s_settle);
        await WaitUntilAsync(() => Task.FromResult(gw.AcksReceived > acksBefore), s_settle);

        Assert.Equal(InfluxCounts.Expected(500), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));
        var metrics = await hub.Client().GetStringAsync("metrics");
        Assert.Equal(500, HubHttp.ParseMetric(metrics, "edge_hub_readings_stored_total"));
        Assert.Equal(500, HubHttp.ParseMetric(metrics, "edge_hub_duplicates_dropped_total"));
        var counters = await hub.Client().GetFromJsonAsync<JsonElement>("api/v1/counters?gateway=" + gw.GatewayId);
        Assert.Equal(250, counters[0].GetProperty("total").GetInt64());
        Assert.Equal(500, gw.LastAck!.StoredThrough);
    }

    [Fact]
    public async Task Deduplication_survives_a_hub_restart()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "dedup-restart");
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await using (var first = await HubHost.StartAsync(settings))
        {
            await gw.PublishBatchesAsync(messages: 40, perMessage: 10);
            await gw.WaitAllAckedAsync(s_settle);
        }

        await using var second = await HubHost.StartAsync(settings);
        await gw.ResendAsync(1, 400);
        await gw.PublishBatchesAsync(messages: 40, perMessage: 10);
        await gw.WaitAllAckedAsync(s_settle);
        await WaitUntilAsync(async () => HubHttp.ParseMetric(await second.Client().GetStringAsync("metrics"), "edge_hub_duplicates_dropped_total") >= 400, s_settle);

        var metrics = await second.Client().GetStringAsync("metrics");
        Assert.Equal(400, HubHttp.ParseMetric(metrics, "edge_hub_readings_stored_total"));
        Assert.Equal(400, HubHttp.ParseMetric(metrics, "edge_hub_duplicates_dropped_total"));
        Assert.Equal(InfluxCounts.Expected(800), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));
        var counters = await second.Client().GetFromJsonAsync<JsonElement>("api/v1/counters?gateway=" + gw.GatewayId);
        Assert.Equal(400, counters[0].GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task A_scan_is_stored_once_with_its_point_and_acknowledged_by_seq()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "scan");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await gw.PublishBatchesAsync(messages: 1, perMessage: 4);
        var scan = await gw.PublishScanAsync("LOT-2025-0001");
        await gw.PublishBatchesAsync(messages: 1, perMessage: 4);
        await gw.WaitAllAckedAsync(s_settle);
        await WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 9), s_settle);

        await gw.Client.PublishAsync(gw.Topic(Edge.Contracts.MessageKind.Scans), Edge.Contracts.ContractCodec.Encode(scan with { Replay = true }));
        await WaitUntilAsync(async () => HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_duplicates_dropped_total") >= 1, s_settle);

        var page = await hub.Client(HubSettings.PlannerKey).GetFromJsonAsync<JsonElement>($"api/v1/scans?gateway={gw.GatewayId}");
        var stored = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(5, stored.GetProperty("seq").GetInt64());
        Assert.Equal("LOT-2025-0001", stored.GetProperty("code").GetString());
        var rows = await influx.QueryRowsAsync(settings.Database, $"SELECT \"code\", \"seq\" FROM \"scan\" WHERE \"gateway\" = '{gw.GatewayId}'");
        Assert.Equal("LOT-2025-0001", Assert.Single(rows)[1].GetString());
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {timeout}.");
            }

            await Task.Delay(100);
        }
    }
}
