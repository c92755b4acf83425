using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Edge.Contracts;
using Edge.Hub.Tests.Ingest;
using Edge.Hub.Tests.Support;
using Edge.Mqtt;
using Edge.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Hub.Tests.Faults;

/// <summary>
/// 10,000 malformed and hostile payloads at a hub process: it stays up, dead-letters each one (counted, stored, and
/// reported on the dead-letter topic), keeps ingesting good data, and its resident memory grows by less than 20 MB.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class HostilePayloadTests(ITestOutputHelper output)
{
    private const int WarmUp = 3_000;
    private const int Flood = 10_000;

    [Fact]
    public async Task Ten_thousand_hostile_payloads_are_each_dead_lettered_without_crash_or_memory_growth()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "hostile");
        using var hub = await HubProcess.StartAsync(settings);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        var notices = 0;
        await using var watcher = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = TestDirectories.UniqueToken("dlw") });
        await watcher.ConnectAsync();
        await watcher.SubscribeAsync($"edge/v1/_hub/{settings.Site}");
        var reading = Task.Run(async () =>
        {
            await foreach (var m in watcher.Messages.ReadAllAsync())
            {
                using var doc = JsonDocument.Parse(m.Payload);
                Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("reason").GetString()));
                Interlocked.Increment(ref notices);
            }
        });

        var random = new Random(5);
        await PublishAsync(gw, Hostile(gw, random, WarmUp));
        await WaitDeadLetteredAsync(hub, WarmUp);
        await SettleAsync(hub);
        var before = hub.RssMiB();
        output.WriteLine(await Memory(hub));

        await PublishAsync(gw, Hostile(gw, random, Flood));
        await WaitDeadLetteredAsync(hub, WarmUp + Flood);
        await SettleAsync(hub);
        var after = hub.RssMiB();
        output.WriteLine(await Memory(hub));
        output.WriteLine($"RSS {before:0.0} MiB after warm-up, {after:0.0} MiB after {Flood} hostile payloads");

        Assert.False(hub.HasExited, hub.Output);
        Assert.True(after - before < 20, $"RSS grew by {after - before:0.0} MiB ({before:0.0} -> {after:0.0}).");

        // Still ingesting: good data after the flood is stored and acknowledged.
        await gw.PublishBatchesAsync(20, 10);
        await gw.WaitAllAckedAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(InfluxCounts.Expected(200), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));

        // Every one stored (the store keeps the newest 10,000 and counts the evicted) and reported on the topic.
        using var http = hub.Client(HubSettings.OperatorKey);
        await ExactlyOnceTests.WaitUntilAsync(async () => (await http.GetFromJsonAsync<JsonElement>("api/v1/deadletters?limit=1")).GetProperty("total").GetInt64() >= WarmUp + Flood, TimeSpan.FromSeconds(60));
        var page = await http.GetFromJsonAsync<JsonElement>("api/v1/deadletters?limit=1");
        Assert.Equal(WarmUp + Flood, page.GetProperty("total").GetInt64());
        Assert.Equal(WarmUp + Flood, page.GetProperty("stored").GetInt64() + page.GetProperty("evicted").GetInt64());
        await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref notices) >= WarmUp + Flood), TimeSpan.FromSeconds(60));
        Assert.Equal(WarmUp + Flood, Volatile.Read(ref notices));
        var metrics = await http.GetStringAsync("metrics");
        Assert.Equal(WarmUp + Flood, HubHttp.ParseMetric(metrics, "edge_hub_invalid_messages_total"));
        Assert.DoesNotContain("reason=\"Internal\"", metrics, StringComparison.Ordinal);
        Assert.True(HubHttp.ParseMetric(metrics, "edge_hub_dead_letters_total", "reason=\"TopicMismatch\"") >= Flood / 10);
        await watcher.DisconnectAsync();
        await hub.StopAsync();
    }

    /// <summary>
    /// Waits, both times, for the state a hub reaches once a burst is over: its memory trimmer has run one full
    /// collection (the hub does this by itself after allocating 32 MiB and falling quiet).
    /// </summary>
    private static async Task SettleAsync(HubProcess hub)
    {
        var trims = await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_memory_trims_total");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_memory_trims_total") <= trims && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        await Task.Delay(1000);
    }

    private static async Task<string> Memory(HubProcess hub)
    {
        using var http = hub.Client();
        var m = await http.GetStringAsync("metrics");
        return string.Join(", ", new[] { "process_resident_memory_bytes", "dotnet_gc_heap_size_bytes", "dotnet_gc_committed_bytes", "dotnet_gc_fragmented_bytes" }
            .Select(n => $"{n} {HubHttp.ParseMetric(m, n) / 1048576:0.0} MiB"));
    }

    private static async Task WaitDeadLetteredAsync(HubProcess hub, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        double seen = 0;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(hub.HasExited, hub.Output);
            seen = await HubHttp.MetricAsync(hub.BaseUri, "edge_hub_invalid_messages_total");
            if (seen >= count)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Only {seen} of {count} hostile payloads were dead-lettered.\n{hub.Output}");
    }

    private static async Task PublishAsync(TestGateway gw, IEnumerable<(string Topic, byte[] Payload)> messages)
    {
        using var slots = new SemaphoreSlim(100);
        var tasks = new List<Task>();
        foreach (var (topic, payload) in messages)
        {
            await slots.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await gw.Client.PublishAsync(topic, payload, MqttQos.AtLeastOnce);
                }
                finally
                {
                    slots.Release();
                }
            }));
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Payloads that must all be refused, on topics the hub subscribes to.</summary>
    private static IEnumerable<(string Topic, byte[] Payload)> Hostile(TestGateway gw, Random random, int count)
    {
        var readings = gw.Topic(MessageKind.Readings);
        var scans = gw.Topic(MessageKind.Scans);
        var valid = Encoding.UTF8.GetString(ContractCodec.Encode(new ReadingBatch
        {
            GatewayId = gw.GatewayId,
            Seq = 1,
            Ts = DateTimeOffset.UtcNow,
            ClockSynced = true,
            Readings = [new AnalogReading { Seq = 1, Device = "p", Ts = DateTimeOffset.UtcNow, Value = 1.5, Unit = "kPa" }],
        }));
        for (var i = 0; i < count; i++)
        {
            switch (i % 10)
            {
                case 0:
                    var bytes = new byte[random.Next(1, 2000)];
                    random.NextBytes(bytes);
                    yield return (readings, bytes);
                    break;
                case 1:
                    yield return (readings, Encoding.UTF8.GetBytes(new string('[', 50_000)));
                    break;
                case 2:
                    // A huge string where an id belongs; every 50th one far bigger.
                    var size = i % 500 == 2 ? 400_000 : 20_000;
                    yield return (scans, Encoding.UTF8.GetBytes(valid.Replace("\"p\"", "\"" + new string('A', size) + "\"", StringComparison.Ordinal)));
                    break;
                case 3:
                    // Over the 1 MiB contract limit every 1000th; otherwise a long run of padding.
                    yield return (readings, new byte[i % 1000 == 3 ? ContractLimits.MaxPayloadBytes + 100 : 30_000]);
                    break;
                case 4:
                    var badTopic = (i / 10 % 3) switch
                    {
                        0 => $"edge/v1/{gw.Site}/{gw.Area}/bad id!/readings",
                        1 => $"edge/v1/{gw.Site}/{gw.Area}/{new string('g', 65)}/readings",
                        _ => $"edge/v1/{gw.Site}/alerts/{gw.GatewayId}/readings",
                    };
                    yield return (badTopic, Encoding.UTF8.GetBytes(valid));
                    break;
                case 5:
                    // A gateway id forged on another gateway's topic.
                    yield return (readings, Encoding.UTF8.GetBytes(valid.Replace(gw.GatewayId, "someone-else", StringComparison.Ordinal)));
                    break;
                case 6:
                    yield return (readings, Encoding.UTF8.GetBytes(valid.Replace("1.5", i % 20 == 6 ? "NaN" : "\"heavy\"", StringComparison.Ordinal)));
                    break;
                case 7:
                    yield return (readings, []);
                    break;
                case 8:
                    yield return (readings, Encoding.UTF8.GetBytes(valid.Replace("\"1.0\"", "\"2.0\"", StringComparison.Ordinal)));
                    break;
                default:
                    yield return (readings, [.. Encoding.UTF8.GetBytes(valid[..^1]), .. ",\"seq\":2,}"u8.ToArray(), 0xC3, 0x28]);
                    break;
            }
        }
    }
}
