using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Hub.Tests.Faults;

/// <summary>The hub is away while a gateway publishes more than the broker queues for the hub's session.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class HubDownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Messages_the_broker_dropped_while_the_hub_was_down_arrive_by_replay()
    {
        await using var broker = await MosquittoBroker.StartAsync(maxQueuedMessages: 1000);
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "hub-down");
        await using var gw = await TestGateway.StartAsync(broker, settings.Site, replayAfter: TimeSpan.FromSeconds(30));

        // A first run creates the hub's persistent session (and its subscriptions) on the broker.
        await using (var first = await HubHost.StartAsync(settings))
        {
            await gw.PublishBatchesAsync(10, 10);
            await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(30));
        }

        // 1,500 messages while the hub is gone: the broker queues 1,000 for its session and drops the rest.
        await gw.PublishBatchesAsync(1500, 10);
        Assert.Equal(0, gw.PublishFailures);

        await using var second = await HubHost.StartAsync(settings);

        // What the broker kept is delivered at once; before the first replay is due, the rest is still missing.
        double stored = -1, now;
        while ((now = await HubHttp.MetricAsync(second.BaseUri, "edge_hub_readings_stored_total")) != stored || now == 0)
        {
            stored = now;
            await Task.Delay(2000);
        }

        var missing = gw.OutstandingCount;
        output.WriteLine($"from the broker's queue: {stored} readings; still missing: {missing}; replays so far: {gw.Replayed}");
        Assert.Equal(0, gw.Replayed);
        Assert.InRange(missing, 1000, 10_000);

        await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(120));

        var n = 1510 * 10;
        Assert.Equal(InfluxCounts.Expected(n), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));
        Assert.True(gw.Replayed > 0);
        output.WriteLine($"replayed {gw.Replayed} batches");
    }
}
