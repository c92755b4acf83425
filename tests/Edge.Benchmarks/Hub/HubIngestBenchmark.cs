using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Edge.Contracts;
using Edge.Mqtt;
using Edge.TestSupport;

namespace Edge.Benchmarks.Hub;

/// <summary>
/// Readings per second through the hub process (10 readings per MQTT message; decoded, de-duplicated, written to
/// influxd, committed to SQLite and acknowledged back to the gateway), against the slower of the two limits of its
/// path measured in the same run on the same broker and influxd: <c>mosquitto_sub</c> receiving the same stream
/// (QoS 1), and the same points posted as raw line protocol in batches of 5000. Also the hub's resident memory at
/// that rate and, at a steady 200 messages a second, the p99 time from a gateway's publish to the acknowledgement
/// that covers it.
/// </summary>
/// <remarks>
/// <para>
/// The goal figure is measured with the stream already queued in the broker: the consumer (the hub, or
/// <c>mosquitto_sub</c> for its limit) is stopped with SIGSTOP, the whole stream is published, and the clock runs from
/// SIGCONT to the last acknowledgement (or the last message received). In a plant the publishers are the gateways, on
/// machines of their own; here the benchmark's publisher would otherwise take 2.4-3.1 of the CPU-seconds the two
/// cores have for the hub's burst, which measures the load generator as much as the hub. Draining a backlog is also
/// the hub's hardest real case: catching up after a restart or an outage while every gateway replays.
/// </para>
/// <para>
/// The same comparison with the publisher running during the burst, on the same two cores, is still reported
/// (<c>hub.ingest.live_publisher.*</c>) so that the figures can be compared with those of earlier runs.
/// </para>
/// </remarks>
internal sealed class HubIngestBenchmark : IBenchmark
{
    private static readonly int Messages = int.TryParse(Environment.GetEnvironmentVariable("EDGE_BENCH_HUB_MESSAGES"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 50_000;
    private const int PerMessage = 10;
    // Long enough that tiered compilation has finished the hot paths before the clock starts: with 5,000 the hub was
    // still recompiling during the measured burst (hub CPU 3.5-4.0 s instead of 2.6-2.7 s for the same stream).
    private const int WarmUpMessages = 20_000;
    private const int PacedMessages = 2_000;
    private const int PacedRate = 200;
    private const int RawBatch = 5000;
    private const string Site = "bench";
    private const string Area = "hall";
    private const string Key = "bench-admin-key-0123456789";
    private static readonly DateTimeOffset s_base = DateTimeOffset.UtcNow.AddHours(-6);

    public string Group => "hub";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var mosquittoSub = Components.MosquittoSub;
        await using var broker = await MosquittoBroker.StartAsync(maxQueuedMessages: 1_000_000);
        await using var influx = await InfluxServer.StartAsync();

        var subLiveRate = Messages * PerMessage / await MosquittoSubSecondsAsync(mosquittoSub, broker, "gw-sub", null, cancellationToken);
        var subRate = Messages * PerMessage / await MosquittoSubSecondsAsync(mosquittoSub, broker, "gw-sub-queued", null, cancellationToken, queued: true);
        var rawRate = Messages * PerMessage / await RawPostSecondsAsync(influx, "raw", "gw-raw", null, cancellationToken);
        var sharedRate = await SharedPathRateAsync(mosquittoSub, broker, influx, cancellationToken);
        var hub = await HubRunAsync(broker, influx, cancellationToken);
        var limit = Math.Min(subRate, rawRate);
        var limitName = subRate <= rawRate ? "mosquitto_sub (QoS 1), stream queued" : "raw line-protocol POST";
        var liveLimit = Math.Min(subLiveRate, rawRate);
        var liveLimitName = subLiveRate <= rawRate ? "mosquitto_sub (QoS 1), publisher running" : "raw line-protocol POST";
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hub: {hub.QueuedRate:0} readings/s from the queued stream, {hub.LiveRate:0}/s with the publisher running; mosquitto_sub {subRate:0}/s queued, {subLiveRate:0}/s live; raw POST {rawRate:0}/s; both at once {sharedRate:0}/s; RSS max {hub.RssMiB:0.0} MiB; p99 {hub.P99Ms:0.0} ms"));

        return
        [
            BenchResult.Compared("hub.ingest.ratio_vs_path_limit", Math.Round(hub.QueuedRate), "readings/s", limitName, Math.Round(limit), "≥ 0.8"),
            BenchResult.Absolute("hub.ingest.mosquitto_sub_limit", Math.Round(subRate), "readings/s"),
            BenchResult.Absolute("hub.ingest.raw_post_limit", Math.Round(rawRate), "readings/s"),
            BenchResult.Compared("hub.ingest.live_publisher.ratio_vs_path_limit", Math.Round(hub.LiveRate), "readings/s", liveLimitName, Math.Round(liveLimit), "report"),
            BenchResult.Compared("hub.ingest.live_publisher.ratio_vs_shared_path_limit", Math.Round(hub.LiveRate), "readings/s", "mosquitto_sub and raw POST at once", Math.Round(sharedRate), "report"),
            BenchResult.Absolute("hub.rss_mb", Math.Round(hub.RssMiB, 1), "MiB", "≤ 200"),
            BenchResult.Absolute("hub.ack_latency_p99_ms", Math.Round(hub.P99Ms, 1), "ms"),
        ];
    }

    /// <summary>
    /// Both halves of the path at the same time, each moving the whole stream, so that they share the machine as they
    /// do under the hub: the rate at which the slower one finishes. On a machine whose cores the broker, influxd, the
    /// publisher and the hub all share, this is roughly what a hub that cost nothing could reach (roughly: mosquitto_sub
    /// and the POST client use CPU of their own, which a hub replaces); each limit measured alone has the whole
    /// machine to itself.
    /// </summary>
    private static async Task<double> SharedPathRateAsync(string mosquittoSub, MosquittoBroker broker, InfluxServer influx, CancellationToken cancellationToken)
    {
        var start = new StartLine(2);
        var sub = MosquittoSubSecondsAsync(mosquittoSub, broker, "gw-shared-sub", start, cancellationToken);
        var raw = RawPostSecondsAsync(influx, "shared", "gw-shared-raw", start, cancellationToken);
        var seconds = await Task.WhenAll(sub, raw);
        return Messages * PerMessage / seconds.Max();
    }

    /// <summary>The stream a gateway sends: message i holds seqs i*10+1 … i*10+10, counters and weights alternating.</summary>
    private static byte[][] Payloads(string gatewayId, int firstMessage, int count)
    {
        var payloads = new byte[count][];
        for (var m = 0; m < count; m++)
        {
            var readings = new Reading[PerMessage];
            for (var i = 0; i < PerMessage; i++)
            {
                var seq = ((long)(firstMessage + m) * PerMessage) + i + 1;
                var ts = s_base.AddTicks(seq * 1000);
                readings[i] = seq % 2 == 0
                    ? new CounterReading { Seq = seq, Device = "line-1", Channel = "count", Ts = ts, Raw = (ulong)seq, Delta = 1, Epoch = 0, Width = 32 }
                    : new WeightReading { Seq = seq, Device = "scale-1", Ts = ts, ValueKg = 1000 + (seq % 977), Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok };
            }

            payloads[m] = ContractCodec.Encode(new ReadingBatch { GatewayId = gatewayId, Seq = readings[^1].Seq, Ts = DateTimeOffset.UtcNow, ClockSynced = true, Readings = readings });
        }

        return payloads;
    }

    private static string Topic(string gatewayId, MessageKind kind) => TopicTemplate.ForGateway(kind, Site, Area, gatewayId).ToTopic();

    private static async Task<double> MosquittoSubSecondsAsync(string mosquittoSub, MosquittoBroker broker, string gateway, StartLine? start, CancellationToken cancellationToken, bool queued = false)
    {
        var payloads = Payloads(gateway, 0, Messages);
        var command = string.Create(CultureInfo.InvariantCulture, $"exec {mosquittoSub} -h {broker.Host} -p {broker.Port} -t {Topic(gateway, MessageKind.Readings)} -q 1 -V mqttv5 -C {Messages} -i {gateway} > /dev/null");
        using var sub = ChildProcess.Start("/bin/sh", ["-c", command], name: "mosquitto_sub");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!broker.Log.Contains($"as {gateway}", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        await Task.Delay(300, cancellationToken);
        await using var client = await ConnectAsync(broker, gateway + "-pub");
        if (start is not null)
        {
            await start.ArriveAsync();
        }

        if (queued)
        {
            // Received only once the whole stream waits in the broker (see the class remarks).
            sub.Signal(Signals.SigStop);
            await PublishAllAsync(client, Topic(gateway, MessageKind.Readings), payloads, null, cancellationToken);
        }

        var before = (Broker: CpuSeconds(broker.ProcessId), Self: CpuSeconds(Environment.ProcessId));
        var clock = Stopwatch.StartNew();
        if (queued)
        {
            sub.Signal(Signals.SigCont);
        }
        else
        {
            await PublishAllAsync(client, Topic(gateway, MessageKind.Readings), payloads, null, cancellationToken);
        }
        if (!await sub.WaitForExitAsync(TimeSpan.FromMinutes(2)))
        {
            throw new InvalidOperationException($"mosquitto_sub did not receive {Messages} messages.\n{sub.Output}");
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mosquitto_sub run ({gateway}): {elapsed:0.00} s; CPU s: mosquitto {CpuSeconds(broker.ProcessId) - before.Broker:0.00}, benchmark process {CpuSeconds(Environment.ProcessId) - before.Self:0.00}"));
        return elapsed;
    }

    private static async Task<double> RawPostSecondsAsync(InfluxServer influx, string database, string gateway, StartLine? start, CancellationToken cancellationToken)
    {
        var db = await influx.CreateDatabaseAsync(database);
        var lines = new string[Messages * PerMessage];
        for (var i = 0; i < lines.Length; i++)
        {
            var seq = i + 1L;
            var ns = (s_base.AddTicks(seq * 1000).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            lines[i] = seq % 2 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"counter,area={Area},device=line-1,gateway={gateway},site={Site} delta=1i,epoch=0i,seq={seq}i,value={seq}i,width=32i {ns}")
                : string.Create(CultureInfo.InvariantCulture, $"weight,area={Area},device=scale-1,gateway={gateway},site={Site} kg={1000 + (seq % 977)},mode=\"gross\",motion=false,seq={seq}i,stable=true,state=\"ok\" {ns}");
        }

        var uri = new Uri($"write?db={db}&precision=ns", UriKind.Relative);
        if (start is not null)
        {
            await start.ArriveAsync();
        }

        var influxBefore = CpuSeconds(influx.ProcessId);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < lines.Length; i += RawBatch)
        {
            using var content = new StringContent(string.Join('\n', lines, i, Math.Min(RawBatch, lines.Length - i)), Encoding.UTF8, "text/plain");
            using var response = await influx.Http.PostAsync(uri, content, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"influxd answered {(int)response.StatusCode} to the raw post");
            }
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw POST run ({gateway}): {elapsed:0.00} s; CPU s: influxd {CpuSeconds(influx.ProcessId) - influxBefore:0.00}"));
        return elapsed;
    }

    private static async Task<(double QueuedRate, double LiveRate, double RssMiB, double P99Ms)> HubRunAsync(MosquittoBroker broker, InfluxServer influx, CancellationToken cancellationToken)
    {
        const string Gateway = "gw-hub";
        var db = await influx.CreateDatabaseAsync("hub");
        var dir = TestDirectories.Create("bench-hub");
        var port = Ports.GetFreeTcpPort();
        string[] args =
        [
            HubDll(),
            $"--Urls=http://127.0.0.1:{port}",
            $"--Mqtt:Host={broker.Host}",
            $"--Mqtt:Port={broker.Port}",
            "--Mqtt:ClientId=bench-hub",
            $"--Ingest:Site={Site}",
            $"--Influx:Url={influx.BaseUri}",
            $"--Influx:Database={db}",
            $"--State:Path={Path.Combine(dir, "state.db")}",
            "--Api:Keys:0:Name=bench",
            $"--Api:Keys:0:Key={Key}",
            "--Api:Keys:0:Role=admin",
            "--Logging:LogLevel:Default=Warning",
            $"--EdgeTestRoot={TestDirectories.Root}",
        ];
        using var hub = ChildProcess.Start("dotnet", args, name: "hub");
        await WaitReadyAsync(port, hub);
        await using var gateway = await ConnectAsync(broker, "bench-gw");
        var acks = new AckTracker();
        await gateway.SubscribeAsync(Topic(Gateway, MessageKind.Ack), cancellationToken: cancellationToken);
        var ackReader = Task.Run(() => acks.ReadAsync(gateway, cancellationToken), CancellationToken.None);
        var topic = Topic(Gateway, MessageKind.Readings);

        // Warm-up: JIT, connections, influxd's first shard.
        var warm = Payloads(Gateway, 0, WarmUpMessages);
        await PublishAllAsync(gateway, topic, warm, null, cancellationToken);
        await acks.WaitThroughAsync((long)WarmUpMessages * PerMessage, TimeSpan.FromMinutes(1));

        // Let tiered compilation finish the hot paths in the background before the clock starts.
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

        // Resident memory over both bursts below.
        var rssMax = 0.0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rssMax = Math.Max(rssMax, RssMiB(hub.Id));
                await Task.Delay(200, CancellationToken.None);
            }
        }, CancellationToken.None);

        // Throughput with the publisher running: the whole stream as fast as the gateway can publish it, until the
        // last seq is acknowledged. The hub shares the two cores with influxd, the broker and the publisher.
        var live = Payloads(Gateway, WarmUpMessages, Messages);
        var cpu = Cpu(hub, broker, influx);
        var clock = Stopwatch.StartNew();
        await PublishAllAsync(gateway, topic, live, null, cancellationToken);
        var published = clock.Elapsed;
        await acks.WaitThroughAsync((long)(WarmUpMessages + Messages) * PerMessage, TimeSpan.FromMinutes(3));
        var liveRate = Messages * PerMessage / clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hub run, publisher running: published in {published.TotalSeconds:0.00} s, acknowledged after {clock.Elapsed.TotalSeconds:0.00} s; CPU s: {cpu.Since()}"));

        // Throughput from the queued stream (see the class remarks): published while the hub is stopped, timed from
        // the moment it is let go to the last acknowledgement.
        var queued = Payloads(Gateway, WarmUpMessages + Messages, Messages);
        hub.Signal(Signals.SigStop);
        await PublishAllAsync(gateway, topic, queued, null, cancellationToken);
        cpu = Cpu(hub, broker, influx);
        clock.Restart();
        hub.Signal(Signals.SigCont);
        await acks.WaitThroughAsync((long)(WarmUpMessages + (2 * Messages)) * PerMessage, TimeSpan.FromMinutes(3));
        var queuedRate = Messages * PerMessage / clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hub run, stream queued: acknowledged after {clock.Elapsed.TotalSeconds:0.00} s; CPU s: {cpu.Since()}"));
        Console.Error.WriteLine(await MemoryFiguresAsync(port));
        await sampling.CancelAsync();
        await sampler;

        // Latency at a steady rate: publish time of each message to the first acknowledgement covering it.
        var paced = Payloads(Gateway, WarmUpMessages + (2 * Messages), PacedMessages);
        var sent = new long[PacedMessages];
        var first = (long)(WarmUpMessages + (2 * Messages)) * PerMessage;
        acks.TrackLatency(first, sent);
        var interval = TimeSpan.FromSeconds(1.0 / PacedRate);
        var start = Stopwatch.GetTimestamp();
        var tasks = new List<Task>(PacedMessages);
        for (var i = 0; i < PacedMessages; i++)
        {
            var due = start + (long)(interval.TotalSeconds * i * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(1, cancellationToken);
            }

            sent[i] = Stopwatch.GetTimestamp();
            tasks.Add(gateway.PublishAsync(topic, paced[i], MqttQos.AtLeastOnce, cancellationToken: cancellationToken));
        }

        await Task.WhenAll(tasks);
        await acks.WaitThroughAsync(first + ((long)PacedMessages * PerMessage), TimeSpan.FromMinutes(1));
        var latencies = acks.Latencies();

        await CheckStoredAsync(influx, db, Gateway, (long)(WarmUpMessages + (2 * Messages) + PacedMessages) * PerMessage);
        hub.Terminate();
        await hub.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await gateway.DisconnectAsync(cancellationToken: cancellationToken);
        _ = ackReader;
        return (queuedRate, liveRate, rssMax, Percentile(latencies, 0.99));
    }

    private static async Task CheckStoredAsync(InfluxServer influx, string db, string gateway, long expected)
    {
        long points = 0;
        foreach (var m in new[] { "counter", "weight" })
        {
            var rows = await influx.QueryRowsAsync(db, $"SELECT COUNT(\"seq\") FROM \"{m}\" WHERE \"gateway\" = '{gateway}'");
            points += rows.Count > 0 ? rows[0][1].GetInt64() : 0;
        }

        if (points != expected)
        {
            throw new InvalidOperationException($"InfluxDB holds {points} points of {gateway}, expected {expected}: the run is not valid.");
        }
    }

    private static double Percentile(List<double> values, double q)
    {
        values.Sort();
        return values.Count == 0 ? double.NaN : values[Math.Min(values.Count - 1, (int)Math.Ceiling(q * values.Count) - 1)];
    }

    private static async Task<MqttClient> ConnectAsync(MosquittoBroker broker, string clientId)
    {
        var client = new MqttClient(new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = clientId,
            MaxPendingPublishes = 2000,
            MaxInflightMessages = 1000,
            OperationTimeout = TimeSpan.FromMinutes(1),
        });
        await client.ConnectAsync();
        return client;
    }

    private static async Task PublishAllAsync(MqttClient client, string topic, byte[][] payloads, long[]? sent, CancellationToken cancellationToken)
    {
        var tasks = new Task[payloads.Length];
        for (var i = 0; i < payloads.Length; i++)
        {
            if (sent is not null)
            {
                sent[i] = Stopwatch.GetTimestamp();
            }

            tasks[i] = client.PublishAsync(topic, payloads[i], MqttQos.AtLeastOnce, cancellationToken: cancellationToken);
        }

        await Task.WhenAll(tasks);
    }

    private static async Task WaitReadyAsync(int port, ChildProcess hub)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (hub.HasExited)
            {
                break;
            }

            try
            {
                using var response = await http.GetAsync("readyz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"The hub did not become ready.\n{hub.Output}");
    }

    private static double RssMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    private static async Task<string> MemoryFiguresAsync(int port)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var figures = text.Split('\n')
            .Where(l => l.StartsWith("process_resident", StringComparison.Ordinal) || l.StartsWith("dotnet_gc_", StringComparison.Ordinal))
            .Select(l => l.Split(' '))
            .Select(p => p[0].StartsWith("dotnet_gc_collections", StringComparison.Ordinal) ? $"{p[0]} {p[1]}" : $"{p[0]} {double.Parse(p[1], CultureInfo.InvariantCulture) / 1048576:0.0} MiB");
        return "hub memory: " + string.Join(", ", figures);
    }

    private static CpuMark Cpu(ChildProcess hub, MosquittoBroker broker, InfluxServer influx) =>
        new(hub.Id, influx.ProcessId, broker.ProcessId, CpuSeconds(hub.Id), CpuSeconds(influx.ProcessId), CpuSeconds(broker.ProcessId), CpuSeconds(Environment.ProcessId));

    private static double CpuSeconds(int pid)
    {
        // /proc/PID/stat fields 14 and 15: user and system time in clock ticks (100 per second on Linux).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static string HubDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            {
                var dll = Path.Combine(dir.FullName, "hub", "Edge.Hub", "bin", "Release", "net10.0", "Edge.Hub.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the hub first (dotnet build hub/Edge.Hub -c Release): {dll} is missing.");
            }
        }

        throw new DirectoryNotFoundException($"No Edge.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>CPU time of the processes on the hub's path at one moment; <see cref="Since"/> says where the cores went.</summary>
    private sealed record CpuMark(int HubPid, int InfluxPid, int BrokerPid, double Hub, double Influx, double Broker, double Publisher)
    {
        public string Since() => string.Create(CultureInfo.InvariantCulture, $"hub {CpuSeconds(HubPid) - Hub:0.00}, influxd {CpuSeconds(InfluxPid) - Influx:0.00}, mosquitto {CpuSeconds(BrokerPid) - Broker:0.00}, publisher {CpuSeconds(Environment.ProcessId) - Publisher:0.00}");
    }

    /// <summary>Lets several measurements start their clocks together, each once its own set-up is done.</summary>
    private sealed class StartLine(int participants)
    {
        private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting = participants;

        public Task ArriveAsync()
        {
            if (Interlocked.Decrement(ref _waiting) == 0)
            {
                _go.TrySetResult();
            }

            return _go.Task;
        }
    }

    /// <summary>Follows the watermark of the acknowledgements a gateway receives.</summary>
    private sealed class AckTracker
    {
        private readonly Lock _gate = new();
        private readonly List<double> _latencies = [];
        private long _storedThrough;
        private long _trackFrom = long.MaxValue;
        private long[]? _sent;
        private int _next;

        public async Task ReadAsync(MqttClient client, CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var m in client.Messages.ReadAllAsync(cancellationToken))
                {
                    if (!ContractCodec.TryDecode<Acknowledgement>(m.Payload.Span, DateTimeOffset.UtcNow, out var ack, out _))
                    {
                        continue;
                    }

                    var now = Stopwatch.GetTimestamp();
                    lock (_gate)
                    {
                        _storedThrough = Math.Max(_storedThrough, ack.StoredThrough);
                        while (_sent is not null && _next < _sent.Length && _trackFrom + ((_next + 1L) * PerMessage) <= _storedThrough)
                        {
                            _latencies.Add(Stopwatch.GetElapsedTime(_sent[_next], now).TotalMilliseconds);
                            _next++;
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public void TrackLatency(long afterSeq, long[] sent)
        {
            lock (_gate)
            {
                _trackFrom = afterSeq;
                _sent = sent;
                _next = 0;
            }
        }

        public List<double> Latencies()
        {
            lock (_gate)
            {
                return [.. _latencies];
            }
        }

        public async Task WaitThroughAsync(long seq, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Volatile.Read(ref _storedThrough) < seq)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Acknowledged through {Volatile.Read(ref _storedThrough)}, waiting for {seq}.");
                }

                await Task.Delay(5);
            }
        }
    }
}
