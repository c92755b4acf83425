using System.Net.Http.Json;
using System.Text.Json;
using Edge.Contracts;
using Edge.Hub.Tests.Support;
using Edge.Mqtt;
using Edge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Edge.Hub.Tests.Ingest;

/// <summary>
/// Seqs a gateway declares abandoned (contract 1.1, in its birth), through real Mosquitto, influxd and SQLite: the
/// watermark passes them, they are recorded, counted, shown and logged, and a reading that still comes is stored once.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class AbandonedSeqsTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_declared_range_advances_stored_through_is_reported_and_a_late_reading_is_stored_once()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "abandoned");
        var logs = new LogRecorder();
        await using var hub = await HubHost.StartAsync(settings, services => services.AddSingleton<ILoggerProvider>(logs));
        await using var gw = await TestGateway.StartAsync(broker, settings.Site, replay: false);

        // Seqs 1..10 and 21..30 arrive; 11..20 were in a gateway's corrupt outbox file. The watermark stalls at 10.
        await PublishAsync(gw, 1, 10);
        await PublishAsync(gw, 21, 30);
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck is { StoredThrough: 10, Ranges: [{ From: 21, To: 30 }] }), s_settle);

        // The declaration names 5..20 (the gateway does not know all the hub has): only 11..20 become abandoned.
        var declaration = new SeqAbandonment
        {
            Seq = 31,
            Reason = SeqAbandonment.OutboxCorrupt,
            Ranges = [new SeqRange { From = 5, To = 20 }],
            Ts = DateTimeOffset.UtcNow,
            Note = "outbox.db.corrupt-test: 0 items salvaged",
        };
        await PublishBirthAsync(gw, declaration);
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck is { StoredThrough: 31, Ranges: null }), s_settle);

        var labels = $"gateway=\"{gw.GatewayId}\"";
        var metrics = await hub.Client().GetStringAsync("metrics");
        Assert.Equal(10, HubHttp.ParseMetric(metrics, "edge_hub_seqs_abandoned_total", labels));
        Assert.Equal(10, HubHttp.ParseMetric(metrics, "edge_hub_gateway_abandoned_seqs", labels));
        Assert.Equal(0, HubHttp.ParseMetric(metrics, "edge_hub_seqs_recovered_total", labels));
        Assert.Equal(31, HubHttp.ParseMetric(metrics, "edge_hub_gateway_stored_through", labels));
        Assert.Equal(0, HubHttp.ParseMetric(metrics, "edge_hub_gateway_missing_seqs", labels));

        var view = await hub.Client(HubSettings.ViewerKey).GetFromJsonAsync<JsonElement>("api/v1/gateways/" + gw.GatewayId);
        Assert.Equal(31, view.GetProperty("storedThrough").GetInt64());
        Assert.Equal(10, view.GetProperty("abandonedSeqs").GetInt64());
        var recorded = Assert.Single(view.GetProperty("abandonments").EnumerateArray());
        Assert.Equal(31, recorded.GetProperty("seq").GetInt64());
        Assert.Equal("outbox-corrupt", recorded.GetProperty("reason").GetString());
        Assert.Equal("5-20", recorded.GetProperty("ranges").GetString());
        Assert.Equal(16, recorded.GetProperty("declared").GetInt64());
        Assert.Equal(10, recorded.GetProperty("abandoned").GetInt64());

        // Logged as an error: readings may be lost, and the planner must hear of it.
        var line = Assert.Single(logs.Entries, e => e.Id == 51310);
        Assert.Equal(LogLevel.Error, line.Level);
        Assert.Contains(gw.GatewayId, line.Message, StringComparison.Ordinal);

        // The same declaration again (a repeated or retained birth) changes nothing.
        await PublishBirthAsync(gw, declaration);
        await PublishAsync(gw, 32, 32);
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 32), s_settle);
        Assert.Equal(10, await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_seqs_abandoned_total", labels));
        Assert.Single(logs.Entries, e => e.Id == 51310);

        // A reading of an abandoned seq that turns up after all (salvaged late) is stored, once.
        var storedBefore = await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_readings_stored_total");
        await PublishAsync(gw, 15, 15, replay: true);
        await ExactlyOnceTests.WaitUntilAsync(async () => await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_seqs_recovered_total", labels) == 1, s_settle);
        await PublishAsync(gw, 15, 15, replay: true);
        await ExactlyOnceTests.WaitUntilAsync(async () => await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_duplicates_dropped_total") >= 1, s_settle);

        metrics = await hub.Client().GetStringAsync("metrics");
        Assert.Equal(storedBefore + 1, HubHttp.ParseMetric(metrics, "edge_hub_readings_stored_total"));
        Assert.Equal(1, HubHttp.ParseMetric(metrics, "edge_hub_seqs_recovered_total", labels));
        Assert.Equal(9, HubHttp.ParseMetric(metrics, "edge_hub_gateway_abandoned_seqs", labels));
        Assert.Equal(10, HubHttp.ParseMetric(metrics, "edge_hub_seqs_abandoned_total", labels));
        var points = await influx.QueryRowsAsync(settings.Database, $"SELECT COUNT(\"seq\") FROM \"weight\" WHERE \"gateway\" = '{gw.GatewayId}' AND \"seq\" = 15");
        Assert.Equal(1, Assert.Single(points)[1].GetInt64());
        Assert.Equal(InfluxCounts.Expected(10).Points + 10 + 1 + 1, (await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId)).Points);
    }

    [Fact]
    public async Task Abandoned_seqs_survive_a_hub_restart_and_never_assigned_ones_are_not_counted_as_lost()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "abandoned-restart");
        await using var gw = await TestGateway.StartAsync(broker, settings.Site, replay: false);
        var labels = $"gateway=\"{gw.GatewayId}\"";
        await using (var first = await HubHost.StartAsync(settings))
        {
            await PublishAsync(gw, 1, 4);
            await PublishBirthAsync(
                gw,
                new SeqAbandonment { Seq = 1000, Reason = SeqAbandonment.OutboxCorrupt, Ranges = [new SeqRange { From = 5, To = 8 }], Ts = DateTimeOffset.UtcNow },
                new SeqAbandonment { Seq = 1001, Reason = SeqAbandonment.NeverAssigned, Ranges = [new SeqRange { From = 9, To = 999 }], Ts = DateTimeOffset.UtcNow });
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 1001), s_settle);
        }

        await using var second = await HubHost.StartAsync(settings);
        var metrics = await second.Client().GetStringAsync("metrics");
        Assert.Equal(4, HubHttp.ParseMetric(metrics, "edge_hub_seqs_abandoned_total", labels));
        Assert.Equal(991, HubHttp.ParseMetric(metrics, "edge_hub_seqs_unassigned_total", labels));
        Assert.Equal(1001, HubHttp.ParseMetric(metrics, "edge_hub_gateway_stored_through", labels));

        // The restarted hub still knows that seq 6 holds no data: it arrives and is stored once.
        await PublishAsync(gw, 6, 6, replay: true);
        await ExactlyOnceTests.WaitUntilAsync(async () => await HubHttp.MetricAsync(second.BaseUri, "edge_hub_seqs_recovered_total", labels) == 1, s_settle);
        Assert.Equal(5, (await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId)).Points);
    }

    private static async Task PublishAsync(TestGateway gw, long from, long to, bool replay = false)
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        var readings = new List<Reading>();
        for (var seq = from; seq <= to; seq++)
        {
            readings.Add(new WeightReading { Seq = seq, Device = TestGateway.ScaleDevice, Ts = t0.AddMilliseconds(seq), ValueKg = 1000 + seq, Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok });
        }

        var batch = new ReadingBatch { GatewayId = gw.GatewayId, Seq = to, Ts = DateTimeOffset.UtcNow, ClockSynced = true, Replay = replay, Readings = readings };
        await gw.Client.PublishAsync(gw.Topic(MessageKind.Readings), ContractCodec.Encode(batch), MqttQos.AtLeastOnce);
    }

    private static async Task PublishBirthAsync(TestGateway gw, params SeqAbandonment[] declarations)
    {
        var birth = new GatewayBirth
        {
            Schema = ContractInfo.LatestSchemaVersion,
            GatewayId = gw.GatewayId,
            Seq = declarations[^1].Seq,
            Ts = DateTimeOffset.UtcNow,
            ClockSynced = true,
            Session = 1,
            Devices = [],
            Abandoned = declarations,
        };
        Assert.True(ContractCodec.TryValidate(birth, DateTimeOffset.UtcNow, out var error), error?.ToString());
        await gw.Client.PublishAsync(gw.Topic(MessageKind.Birth), ContractCodec.Encode(birth), MqttQos.AtLeastOnce, retain: true);
    }
}
