using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Contracts;
using Edge.Gateway.Tests.Support;
using Edge.Mqtt;
using Edge.Simulators.Plc;
using Edge.Simulators.Scanners;
using Edge.Simulators.Weighbridge;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

/// <summary>The gateway process reading the plant simulators, through a real broker, as the hub sees it.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class DeviceEndToEndTests
{
    private static readonly string s_registerMap = Path.Combine(AppContext.BaseDirectory, "register-maps", "baling-press.json");

    private static JsonObject Scale(JsonObject connection) => new()
    {
        ["Id"] = "wb1",
        ["Type"] = "scale",
        ["Station"] = "lane-1",
        ["Protocol"] = "toledo-continuous",
        ["Connection"] = connection,
        ["Stability"] = new JsonObject { ["MinSamples"] = 5, ["ToleranceKg"] = 10, ["MinDuration"] = "00:00:00.500" },
    };

    [Fact]
    public Task Toledo_frames_over_tcp_give_the_trucks_stable_gross_and_tare() =>
        WeighbridgeAsync(port => new JsonObject { ["Kind"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = port }, pty: null);

    [Fact]
    public async Task Toledo_frames_over_a_socat_pty_give_the_trucks_stable_gross_and_tare()
    {
        using var pty = await SocatPty.StartAsync();
        await WeighbridgeAsync(_ => new JsonObject { ["Kind"] = "serial", ["Path"] = pty.GatewayEnd, ["BaudRate"] = 9600 }, pty);
    }

    [Fact]
    public async Task Plc_counter_deltas_stay_exact_across_a_plc_restart_with_a_new_epoch()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var plc = new BalingPressSimulator(new BalingPressOptions { RegisterMapFile = s_registerMap, BaleInterval = TimeSpan.FromMilliseconds(200), RestartEvery = TimeSpan.Zero }, NullLogger.Instance);
        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(id, broker, new JsonObject
        {
            ["Id"] = "bp1",
            ["Type"] = "plc",
            ["RegisterMapFile"] = s_registerMap,
            ["PollInterval"] = "00:00:00.100",
            ["Connection"] = new JsonObject { ["Kind"] = "modbus-tcp", ["Host"] = "127.0.0.1", ["Port"] = plc.Port },
        }));

        await LifecycleTests.WaitUntilAsync(() => Bales(hub).Any(r => r.Raw >= plc.Bales - 1 && r.Raw >= 8), gw);
        var beforeRestart = plc.Bales;
        plc.Restart();
        await LifecycleTests.WaitUntilAsync(() => Bales(hub).Any(r => r.Epoch == 1 && r.Raw >= 8), gw);

        var readings = Bales(hub).OrderBy(r => r.Seq).ToList();
        var first = readings.Where(r => r.Epoch == 0).ToList();
        var second = readings.Where(r => r.Epoch == 1).ToList();
        Assert.NotEmpty(first);
        Assert.NotEmpty(second);
        Assert.DoesNotContain(readings, r => r.Epoch > 1);
        Assert.Equal("bp1", readings[0].Device);

        // Epoch 0 starts from a baseline (delta 0) and its deltas add up to how far the counter went.
        Assert.Equal(0UL, first[0].Delta);
        Assert.Equal(first[^1].Raw - first[0].Raw, first.Aggregate(0UL, (s, r) => s + r.Delta));
        Assert.True(first[^1].Raw >= beforeRestart - 2, $"last before restart {first[^1].Raw}, simulator had {beforeRestart}");

        // After the reset the counter counts from 0 again: no negative or wrapped delta, the sum is the new raw.
        Assert.Equal(second[^1].Raw, second.Aggregate(0UL, (s, r) => s + r.Delta));
        Assert.All(second, r => Assert.True(r.Delta <= 20, $"delta {r.Delta} at raw {r.Raw}"));

        // Analog values arrive with their units from the register map.
        Assert.Contains(hub.Readings.Values.OfType<AnalogReading>(), a => a.Channel == "hydraulic_pressure" && a.Unit == "kPa");
        Assert.Contains(hub.Readings.Values.OfType<StateReading>(), s => s.Channel == "run_state" && s.Label is "run" or "stop");
    }

    [Fact]
    public async Task Plc_counter_resumes_after_each_sigkill_without_counting_an_increment_twice_or_losing_one()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var plc = new BalingPressSimulator(new BalingPressOptions { RegisterMapFile = s_registerMap, BaleInterval = TimeSpan.FromMilliseconds(50), RestartEvery = TimeSpan.Zero }, NullLogger.Instance);
        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(id, broker, new JsonObject
        {
            ["Id"] = "bp1",
            ["Type"] = "plc",
            ["RegisterMapFile"] = s_registerMap,
            ["PollInterval"] = "00:00:00.020",
            ["Connection"] = new JsonObject { ["Kind"] = "modbus-tcp", ["Host"] = "127.0.0.1", ["Port"] = plc.Port },
        }));
        var random = new Random(Environment.TickCount);
        for (var kill = 0; kill < 6; kill++)
        {
            await gw.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
            await Task.Delay(random.Next(300, 1200));
            gw.Process.KillHard();
            await Task.Delay(random.Next(0, 400));
            gw.Restart();
        }

        await gw.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var last = gw.HighestReportedSeq();
        using var final = GatewayProcess.Start(gw.Configuration, directory: gw.Directory);
        await LifecycleTests.WaitUntilAsync(() => hub.HasAllThrough(last), final, TimeSpan.FromSeconds(60));

        // One epoch (the PLC never restarted), one baseline, and the deltas add up to exactly how far it counted,
        // although the gateway died six times, some of them between a commit and its position on disk.
        var bales = Bales(hub).Where(r => r.Seq <= last).OrderBy(r => r.Seq).ToList();
        Assert.All(bales, r => Assert.Equal(0, r.Epoch));
        Assert.Equal(0UL, bales[0].Delta);
        Assert.Equal(bales[^1].Raw - bales[0].Raw, bales.Aggregate(0UL, (s, r) => s + r.Delta));
        Assert.True(bales[^1].Raw > 20, $"only {bales[^1].Raw} bales");
        Assert.Empty(hub.Conflicts);
    }

    [Fact]
    public async Task Scanner_and_rfid_reads_arrive_once_with_repeats_suppressed()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var scanner = new ScannerSimulator(new ScannerSimulatorOptions { TcpPort = 0, MeanInterval = TimeSpan.Zero }, NullLogger.Instance);
        await using var rfid = new ScannerSimulator(new ScannerSimulatorOptions { Name = "rfid", Rfid = true, TcpPort = 0, MeanInterval = TimeSpan.Zero }, NullLogger.Instance);
        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(
            id,
            broker,
            new JsonObject { ["Id"] = "scan1", ["Type"] = "scanner", ["Station"] = "bay-3", ["Symbology"] = "code128", ["RepeatWindow"] = "00:00:01.500", ["Connection"] = new JsonObject { ["Kind"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = scanner.Port } },
            new JsonObject { ["Id"] = "rf1", ["Type"] = "rfid", ["Station"] = "lane-1", ["RepeatWindow"] = "00:00:01.500", ["Connection"] = new JsonObject { ["Kind"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = rfid.Port } }));
        await gw.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
        await LifecycleTests.WaitUntilAsync(() => scanner.ClientCount > 0 && rfid.ClientCount > 0, gw);

        scanner.Send("LOT-2026-000001", twice: true);
        scanner.Send("LOT-2026-000002");
        rfid.Send("3034257bf7194e4000001a85", twice: true);
        await Task.Delay(300);
        scanner.Send("LOT-2026-000001");
        await Task.Delay(TimeSpan.FromSeconds(2));
        scanner.Send("LOT-2026-000001");

        await LifecycleTests.WaitUntilAsync(() => hub.Scans.Count >= 4, gw);
        await Task.Delay(500);
        var scans = hub.Scans.Values.OrderBy(s => s.Seq).ToList();
        Assert.Equal(["LOT-2026-000001", "LOT-2026-000002", "LOT-2026-000001"], scans.Where(s => s.Device == "scan1").Select(s => s.Code));
        var tag = Assert.Single(scans, s => s.Device == "rf1");
        Assert.Equal("3034257BF7194E4000001A85", tag.Code);
        Assert.Equal(ScanTech.Rfid, tag.Tech);
        Assert.Equal("lane-1", tag.Station);
        Assert.All(scans.Where(s => s.Device == "scan1"), s => Assert.Equal("code128", s.Symbology));
    }

    [Fact]
    public async Task Commands_switch_a_plc_coil_once_and_expired_or_repeated_ones_are_dropped()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var plc = new BalingPressSimulator(new BalingPressOptions { RegisterMapFile = s_registerMap, RestartEvery = TimeSpan.Zero }, NullLogger.Instance);
        var config = GatewayProcess.Config(id, broker, new JsonObject
        {
            ["Id"] = "light1",
            ["Type"] = "output",
            ["Connection"] = new JsonObject { ["Kind"] = "modbus-tcp", ["Host"] = "127.0.0.1", ["Port"] = plc.Port, ["Coil"] = 0 },
        });
        using var gw = GatewayProcess.Start(config);
        await gw.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
        await using var hub = await MqttForTests.ConnectAsync(broker);
        var topic = TopicTemplate.ForGateway(MessageKind.Command, "test-site", "test-area", id).WithDevice("light1").ToTopic();
        var now = DateTimeOffset.UtcNow;
        var on = new Command { CommandId = "cmd-1", GatewayId = id, Device = "light1", Action = CommandAction.SetOutput, Value = OutputValue.On, IssuedAt = now, ExpiresAt = now.AddMinutes(5) };

        await hub.PublishAsync(topic, ContractCodec.Encode(on));
        await LifecycleTests.WaitUntilAsync(() => plc.StackLightRed, gw);

        // Someone switches it off at the panel; the same command delivered again must not switch it back on.
        plc.Store.SetCoil(0, false);
        await hub.PublishAsync(topic, ContractCodec.Encode(on));
        await gw.WaitForOutputAsync("Command cmd-1 for light1 was executed before", TimeSpan.FromSeconds(10));

        var expired = on with { CommandId = "cmd-2", IssuedAt = now.AddMinutes(-10), ExpiresAt = now.AddMinutes(-1) };
        await hub.PublishAsync(topic, ContractCodec.Encode(expired));
        await gw.WaitForOutputAsync("Command cmd-2 for light1 expired", TimeSpan.FromSeconds(10));
        Assert.False(plc.StackLightRed);

        // At most once across a restart too: the ledger is on disk.
        gw.Process.Terminate();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        using var again = GatewayProcess.Start(config, directory: gw.Directory);
        await again.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));
        await hub.PublishAsync(topic, ContractCodec.Encode(on));
        await again.WaitForOutputAsync("Command cmd-1 for light1 was executed before", TimeSpan.FromSeconds(10));
        Assert.False(plc.StackLightRed);

        var pulse = on with { CommandId = "cmd-3", Value = OutputValue.Pulse, DurationS = 0.5 };
        await hub.PublishAsync(topic, ContractCodec.Encode(pulse));
        await LifecycleTests.WaitUntilAsync(() => plc.StackLightRed, again);
        await LifecycleTests.WaitUntilAsync(() => !plc.StackLightRed, again);
    }

    private static IEnumerable<CounterReading> Bales(HubStandIn hub) =>
        hub.Readings.Values.OfType<CounterReading>().Where(r => r.Channel == "bale_count");

    private static async Task WeighbridgeAsync(Func<int, JsonObject> connection, SocatPty? pty)
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var sim = new ToledoIndicatorSimulator(new ToledoSimulatorOptions { TcpPort = pty is null ? 0 : null, SerialPath = pty?.DeviceEnd, Speed = 4, Seed = Environment.TickCount }, NullLogger.Instance);
        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = GatewayProcess.Start(GatewayProcess.Config(id, broker, Scale(connection(sim.Port ?? 0))));

        // Note each truck's true loads as the simulator drives them.
        var trucks = new ConcurrentDictionary<int, (int Gross, int Tare)>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var s = sim.State;
                if (s.TruckNumber > 0)
                {
                    trucks[s.TruckNumber] = (s.GrossKg, s.TareKg);
                }

                await Task.Delay(20);
            }
        });

        static bool Weighed(HubStandIn hub, int gross, int tare)
        {
            var stable = hub.Readings.Values.OfType<WeightReading>().Where(w => w.Stable).Select(w => w.ValueKg).ToHashSet();
            return stable.Contains(gross) && stable.Contains(tare);
        }

        await LifecycleTests.WaitUntilAsync(() => trucks.Values.Count(t => Weighed(hub, t.Gross, t.Tare)) >= 2, gw, TimeSpan.FromSeconds(60));
        await watching.CancelAsync();
        await watcher;

        var weights = hub.Readings.Values.OfType<WeightReading>().ToList();
        Assert.All(weights, w => Assert.Equal("wb1", w.Device));
        Assert.All(weights.Where(w => w.Stable), w =>
        {
            Assert.False(w.Motion);
            Assert.Equal(IndicatorStatus.Ok, w.Status);
        });

        // Only settled weights are stable: every stable non-zero weight is some truck's gross or tare.
        var loads = trucks.Values.SelectMany(t => new double[] { t.Gross, t.Tare }).ToHashSet();
        Assert.All(weights.Where(w => w.Stable && w.ValueKg > 0), w => Assert.Contains(w.ValueKg!.Value, loads));
        Assert.All(trucks.Values, t => Assert.InRange(t.Gross, 15_000, 49_000));
        Assert.All(trucks.Values, t => Assert.InRange(t.Tare, 8_000, 15_000));
    }
}

internal static class MqttForTests
{
    public static async Task<MqttClient> ConnectAsync(MosquittoBroker broker)
    {
        var client = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = TestDirectories.UniqueToken("t"), OperationTimeout = TimeSpan.FromSeconds(10) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(cts.Token);
        return client;
    }
}
