using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Hub.Tests.Faults;

/// <summary>Two hub processes in one shared-subscription group, on one state store and one database.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class SharedSubscriptionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_hubs_split_the_load_and_when_one_is_killed_the_other_stores_everything_once()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var a = await HubSettings.CreateAsync(broker, influx, "shared");
        var b = a with { ClientId = TestDirectories.UniqueToken("hub") };
        using var hubA = await HubProcess.StartAsync(a);
        using var hubB = await HubProcess.StartAsync(b);
        await using var gw = await TestGateway.StartAsync(broker, a.Site, replayAfter: TimeSpan.FromSeconds(2));

        await gw.PublishBatchesAsync(400, 10);
        await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(60));
        var toA = await HubHttp.MetricAsync(hubA.BaseUri, "edge_hub_messages_total", "kind=\"readings\"");
        var toB = await HubHttp.MetricAsync(hubB.BaseUri, "edge_hub_messages_total", "kind=\"readings\"");
        output.WriteLine($"hub A got {toA} batches, hub B {toB}");
        Assert.True(toA > 50 && toB > 50, $"the load was not split: A {toA}, B {toB}");
        Assert.Equal(InfluxCounts.Expected(4000), await InfluxCounts.ReadAsync(influx, a.Database, gw.GatewayId));
        var storedA = await HubHttp.MetricAsync(hubA.BaseUri, "edge_hub_readings_stored_total");
        var storedB = await HubHttp.MetricAsync(hubB.BaseUri, "edge_hub_readings_stored_total");
        Assert.Equal(4000, storedA + storedB);

        hubA.Kill();
        await gw.PublishBatchesAsync(400, 10);
        await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(90), () => hubB.Output);

        Assert.Equal(InfluxCounts.Expected(8000), await InfluxCounts.ReadAsync(influx, a.Database, gw.GatewayId));
        using var http = hubB.Client(HubSettings.PlannerKey);
        var counters = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, $"api/v1/counters?gateway={gw.GatewayId}");
        Assert.Equal(4000, counters[0].GetProperty("total").GetInt64());
        output.WriteLine($"after the kill: {gw.Replayed} replayed batches; hub B stored {await HubHttp.MetricAsync(hubB.BaseUri, "edge_hub_readings_stored_total")} readings in all");
        await hubB.StopAsync();
    }
}
