using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using Edge.Modbus;
using Edge.Mqtt;
using Edge.TestSupport;

namespace Edge.Benchmarks.Gateway;

/// <summary>
/// The gateway process as deployed: end-to-end latency of a reading (made by the synthetic device, validated,
/// committed to the outbox, batched, published) to an MQTT subscriber at 1,000 readings/s; resident memory idle
/// and at 10,000 readings/s; and how many registers/s one Modbus TCP link polls from the baling-press PLC simulator.
/// </summary>
internal sealed class GatewayBenchmark : IBenchmark
{
    private static readonly TimeSpan s_warmup = TimeSpan.FromSeconds(4);

    public string Group => "gateway";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var gatewayDll = FindBuilt("edge/Edge.Gateway/bin/Release/net10.0/Edge.Gateway.dll", "edge/Edge.Gateway");
        var simulatorsDll = FindBuilt("edge/Edge.Simulators/bin/Release/net10.0/Edge.Simulators.dll", "edge/Edge.Simulators");
        await using var broker = await MosquittoBroker.StartAsync();
        var results = new List<BenchResult>();

        var (p50, p99, count) = await LatencyAsync(gatewayDll, broker, cancellationToken);
        results.Add(BenchResult.Absolute("edge.latency_p99_ms", Math.Round(p99, 2), "ms", "≤ 50"));
        results.Add(BenchResult.Absolute("edge.latency_p50_ms", Math.Round(p50, 2), "ms"));
        results.Add(BenchResult.Absolute("edge.latency_samples", count, "readings"));

        results.Add(BenchResult.Absolute("edge.rss_idle_mb", Math.Round(await RssAsync(gatewayDll, broker, rate: 0, cancellationToken), 1), "MiB", "≤ 60"));
        results.Add(BenchResult.Absolute("edge.rss_load_mb", Math.Round(await RssAsync(gatewayDll, broker, rate: 10_000, cancellationToken), 1), "MiB", "≤ 100"));

        var (mapRate, blockRate) = await ModbusPollingAsync(simulatorsDll, cancellationToken);
        results.Add(BenchResult.Absolute("edge.modbus_poll_registers_per_s", Math.Round(mapRate), "registers/s"));
        results.Add(BenchResult.Absolute("edge.modbus_poll_registers_per_s.block125", Math.Round(blockRate), "registers/s"));
        return results;
    }

    private static async Task<(double P50, double P99, int Count)> LatencyAsync(string dll, MosquittoBroker broker, CancellationToken cancellationToken)
    {
        var id = TestDirectories.UniqueToken("bench");
        await using var subscriber = await ConnectAsync(broker);
        await subscriber.SubscribeAsync(TopicTemplate.ForGateway(MessageKind.Readings, "bench", "bench", id).ToTopic(), MqttQos.AtLeastOnce, cancellationToken);
        var ackTopic = TopicTemplate.ForGateway(MessageKind.Ack, "bench", "bench", id).ToTopic();
        using var gateway = StartGateway(dll, broker, id, rate: 1000);
        await gateway.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));

        var latencies = new List<double>(20_000);
        var started = DateTime.UtcNow;
        long acked = 0;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(s_warmup + TimeSpan.FromSeconds(15));
        try
        {
            await foreach (var m in subscriber.Messages.ReadAllAsync(cts.Token))
            {
                var now = DateTimeOffset.UtcNow;
                if (!ContractCodec.TryDecode<ReadingBatch>(m.Payload.Span, now, out var batch, out _))
                {
                    continue;
                }

                if (!batch.Replay && DateTime.UtcNow - started > s_warmup)
                {
                    latencies.AddRange(batch.Readings.Select(r => (now - r.Ts).TotalMilliseconds));
                }

                // Stand in for the hub so the outbox stays small, as in production.
                if (batch.Seq > acked)
                {
                    acked = batch.Seq;
                    var ack = new Acknowledgement { GatewayId = id, StoredThrough = acked, Ts = now };
                    _ = subscriber.PublishAsync(ackTopic, ContractCodec.Encode(ack), MqttQos.AtLeastOnce, cancellationToken: CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        gateway.Terminate();
        if (latencies.Count < 1000)
        {
            throw new InvalidOperationException($"only {latencies.Count} readings arrived; gateway output:\n{gateway.Output}");
        }

        latencies.Sort();
        return (latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)], latencies.Count);
    }

    private static async Task<double> RssAsync(string dll, MosquittoBroker broker, double rate, CancellationToken cancellationToken)
    {
        var id = TestDirectories.UniqueToken("bench");
        await using var hub = await ConnectAsync(broker);
        await hub.SubscribeAsync(TopicTemplate.ForGateway(MessageKind.Readings, "bench", "bench", id).ToTopic(), MqttQos.AtLeastOnce, cancellationToken);
        var ackTopic = TopicTemplate.ForGateway(MessageKind.Ack, "bench", "bench", id).ToTopic();
        using var gateway = StartGateway(dll, broker, id, rate);
        await gateway.WaitForOutputAsync("Connected to", TimeSpan.FromSeconds(30));

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var acker = Task.Run(async () =>
        {
            try
            {
                await foreach (var m in hub.Messages.ReadAllAsync(cts.Token))
                {
                    if (ContractCodec.TryDecode<ReadingBatch>(m.Payload.Span, DateTimeOffset.UtcNow, out var batch, out _))
                    {
                        var ack = new Acknowledgement { GatewayId = id, StoredThrough = batch.Seq, Ts = DateTimeOffset.UtcNow };
                        _ = hub.PublishAsync(ackTopic, ContractCodec.Encode(ack), MqttQos.AtLeastOnce, cancellationToken: CancellationToken.None);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        // Settle, then take the highest resident set seen over the measuring window.
        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        double max = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            max = Math.Max(max, VmRssMiB(gateway.Id));
            await Task.Delay(200, cancellationToken);
        }

        await cts.CancelAsync();
        await acker;
        gateway.Terminate();
        return max;
    }

    private static async Task<(double Map, double Block)> ModbusPollingAsync(string simulatorsDll, CancellationToken cancellationToken)
    {
        var mapFile = FindRepositoryFile("firmware-contracts/register-maps/baling-press.json");
        var port = Ports.GetFreeTcpPort();
        using var plc = ChildProcess.Start("dotnet", [simulatorsDll, "plc", "--port", port.ToString(CultureInfo.InvariantCulture), "--register-map", mapFile, "--restart-every", "0"], name: "plc-simulator");
        await plc.WaitForOutputAsync("serving Modbus TCP", TimeSpan.FromSeconds(30));

        var map = RegisterMap.Load(mapFile);
        var plan = RegisterCoalescer.Plan(map.Entries.Select(e => new RegisterSpan(1, e.Table, e.Address, e.RegisterCount)), new CoalescingOptions());
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(2) });
        var reader = new ModbusRegisterReader(client);
        var buffers = plan.Select(r => new ushort[r.Count]).ToArray();
        var perPoll = plan.Sum(r => r.Count);

        async Task<double> MeasureAsync(Func<Task> poll, int registersPerPoll)
        {
            for (var i = 0; i < 200; i++)
            {
                await poll();
            }

            var polls = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(5))
            {
                await poll();
                polls++;
            }

            return polls * registersPerPoll / sw.Elapsed.TotalSeconds;
        }

        var mapRate = await MeasureAsync(
            async () =>
            {
                for (var i = 0; i < plan.Count; i++)
                {
                    await reader.ReadAsync(plan[i].SlaveId, plan[i].Table, (ushort)plan[i].Address, buffers[i], cancellationToken);
                }
            },
            perPoll);
        var block = new ushort[125];
        var blockRate = await MeasureAsync(() => reader.ReadAsync(1, RegisterTable.Holding, 0, block.AsMemory(0, 64), cancellationToken).AsTask(), 64);
        plc.Terminate();
        return (mapRate, blockRate);
    }

    private static ChildProcess StartGateway(string dll, MosquittoBroker broker, string id, double rate)
    {
        var dir = TestDirectories.Create("bench-gateway");
        var devices = new JsonArray();
        if (rate > 0)
        {
            devices.Add(new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = rate });
        }

        var config = new JsonObject
        {
            ["Gateway"] = new JsonObject
            {
                ["Id"] = id,
                ["Site"] = "bench",
                ["Area"] = "bench",
                ["StateDirectory"] = Path.Combine(dir, "state"),
                ["Mqtt"] = new JsonObject { ["Host"] = broker.Host, ["Port"] = broker.Port },
                ["Devices"] = devices,
            },
        };
        var path = Path.Combine(dir, "gateway.json");
        File.WriteAllText(path, config.ToJsonString());
        return ChildProcess.Start("dotnet", [dll, "--config", path], name: "gateway");
    }

    private static async Task<MqttClient> ConnectAsync(MosquittoBroker broker)
    {
        var client = new MqttClient(new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = TestDirectories.UniqueToken("bench-sub"),
            TcpNoDelay = true,
            MaxPendingPublishes = 10_000,
            Messages = new MqttMessageBufferOptions { Capacity = 100_000 },
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(cts.Token);
        return client;
    }

    private static double VmRssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = double.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }

    private static string FindBuilt(string relative, string project)
    {
        try
        {
            return FindRepositoryFile(relative);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"{relative} is not built; run: dotnet build {project} -c Release");
        }
    }

    private static string FindRepositoryFile(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(relative);
    }
}
