using System.Net.Http.Json;
using System.Text.Json;
using Edge.Contracts;
using Edge.Hub.Tests.Support;
using Edge.Mqtt;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Ingest;

/// <summary>Readings InfluxDB refuses for good, and seqs that go missing.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class StorageFaultTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_reading_influx_refuses_is_dead_lettered_and_still_acknowledged()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "influx-400");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);

        // An analog series whose "value" is already a string in this shard: influxd answers 400 field type conflict.
        var ts = DateTimeOffset.UtcNow.AddMinutes(-5);
        await influx.WriteAsync(settings.Database, $"analog,area=area-1,device=press,gateway={gw.GatewayId},site={settings.Site},unit=kPa value=\"broken\" {(ts.AddSeconds(-1).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100}");
        var batch = new ReadingBatch
        {
            GatewayId = gw.GatewayId,
            Seq = 2,
            Ts = ts,
            ClockSynced = true,
            Readings =
            [
                new AnalogReading { Seq = 1, Device = "press", Ts = ts, Value = 812.5, Unit = "kPa" },
                new CounterReading { Seq = 2, Device = "line-1", Channel = "count", Ts = ts, Raw = 7, Delta = 1, Epoch = 0, Width = 16 },
            ],
        };
        await gw.Client.PublishAsync(gw.Topic(MessageKind.Readings), ContractCodec.Encode(batch), MqttQos.AtLeastOnce);

        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 2), s_settle);
        using var http = hub.Client(HubSettings.OperatorKey);
        var letters = await http.GetFromJsonAsync<JsonElement>("api/v1/deadletters");
        var letter = Assert.Single(letters.GetProperty("items").EnumerateArray());
        Assert.Equal("influx", letter.GetProperty("source").GetString());
        Assert.Contains("conflict", letter.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{gw.GatewayId} seq 1-2", letter.GetProperty("origin").GetString(), StringComparison.Ordinal);
        var counters = await hub.Client(HubSettings.PlannerKey).GetFromJsonAsync<JsonElement>($"api/v1/counters?gateway={gw.GatewayId}");
        Assert.Equal(1, counters[0].GetProperty("total").GetInt64());
        var latest = await http.GetFromJsonAsync<JsonElement>($"api/v1/readings/latest?gateway={gw.GatewayId}&device=press");
        Assert.Equal(0, latest.GetArrayLength());
    }

    [Fact]
    public async Task Two_channels_of_one_plc_poll_are_two_influx_points_and_only_a_same_channel_same_time_pair_counts_as_a_collision()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "collision");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);

        // One PLC poll stamps both counters with its time; seq 3 repeats bale_count's tick (a coarse gateway clock).
        var ts = DateTimeOffset.UtcNow.AddMinutes(-1);
        var batch = new ReadingBatch
        {
            GatewayId = gw.GatewayId,
            Seq = 3,
            Ts = ts,
            ClockSynced = true,
            Readings =
            [
                new CounterReading { Seq = 1, Device = "bp1", Channel = "bale_count", Ts = ts, Raw = 40, Delta = 1, Epoch = 0, Width = 32 },
                new CounterReading { Seq = 2, Device = "bp1", Channel = "reject_count", Ts = ts, Raw = 3, Delta = 1, Epoch = 0, Width = 16 },
                new CounterReading { Seq = 3, Device = "bp1", Channel = "bale_count", Ts = ts, Raw = 41, Delta = 1, Epoch = 0, Width = 32 },
            ],
        };
        await gw.Client.PublishAsync(gw.Topic(MessageKind.Readings), ContractCodec.Encode(batch), MqttQos.AtLeastOnce);
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 3), s_settle);

        var rows = await influx.QueryRowsAsync(settings.Database, $"SELECT \"seq\", \"channel\" FROM \"counter\" WHERE \"gateway\" = '{gw.GatewayId}'");
        Assert.Equal(["bale_count", "reject_count"], rows.Select(r => r[2].GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(1, HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_influx_series_collisions_total"));
        var counters = await hub.Client(HubSettings.PlannerKey).GetFromJsonAsync<JsonElement>($"api/v1/counters?gateway={gw.GatewayId}");
        Assert.Equal(["bale_count", "reject_count"], counters.EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
    }

    [Fact]
    public async Task Seqs_missing_longer_than_the_grace_period_are_reported_as_a_gap_until_filled()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = (await HubSettings.CreateAsync(broker, influx, "gap")).With("Ingest:GapGrace", "00:00:01");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site, replay: false);

        await gw.ResendAsync(1, 10);
        await gw.ResendAsync(21, 30);
        await ExactlyOnceTests.WaitUntilAsync(async () => HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_seq_gaps_total") == 1, s_settle);
        var metrics = await hub.Client().GetStringAsync("metrics");
        Assert.Equal(10, HubHttp.ParseMetric(metrics, "edge_hub_gateway_missing_seqs", $"gateway=\"{gw.GatewayId}\""));
        var gateway = await hub.Client(HubSettings.ViewerKey).GetFromJsonAsync<JsonElement>($"api/v1/gateways/{gw.GatewayId}");
        Assert.Equal(10, gateway.GetProperty("storedThrough").GetInt64());
        Assert.Equal(10, gateway.GetProperty("missingSeqs").GetInt64());
        Assert.Equal(20, gateway.GetProperty("unackedBacklog").GetInt64());
        Assert.Equal([new SeqRange { From = 21, To = 30 }], gw.LastAck!.Ranges);

        await gw.ResendAsync(11, 20);
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 30), s_settle);
        await ExactlyOnceTests.WaitUntilAsync(async () => HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_gateway_missing_seqs", $"gateway=\"{gw.GatewayId}\"") == 0, s_settle);
        Assert.Equal(1, HubHttp.ParseMetric(await hub.Client().GetStringAsync("metrics"), "edge_hub_seq_gaps_total"));
    }
}
