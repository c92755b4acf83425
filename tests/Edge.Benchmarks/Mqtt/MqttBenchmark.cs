using System.Diagnostics;
using System.Globalization;
using System.Text;
using Edge.Mqtt;
using Edge.TestSupport;

namespace Edge.Benchmarks.Mqtt;

/// <summary>
/// Our libmosquitto client against libmosquitto's own command-line clients, on a private Mosquitto on loopback, in
/// the same run. Both sides speak MQTT 5 at QoS 1 with ~100-byte payloads, the same count, send maximum 1000
/// (mosquitto_pub -M 1000) and libmosquitto's default receive maximum (20). Each side is measured three times and
/// its best run is kept.
/// <list type="bullet">
/// <item>Publish: mosquitto_pub -l reads the messages from a file (one per line) and is timed as a whole process,
/// from exec to exit (it connects, publishes everything, waits for the last PUBACK, disconnects). Ours is timed
/// likewise from ConnectAsync to DisconnectAsync, publishing with up to 1000 unacknowledged messages; that excludes
/// .NET start-up but includes connect and disconnect, as the other side's time does.</item>
/// <item>Receive: both subscribers hold a persistent session that the broker has queued the same N messages for;
/// each then reconnects and drains them, timed from its first to its last message (mosquitto_sub prints %U, a
/// nanosecond timestamp, per message into a file; ours reads <see cref="MqttClient.Messages"/>).</item>
/// </list>
/// </summary>
public sealed class MqttBenchmark : IBenchmark
{
    /// <summary>One timed run: wall-clock seconds and the CPU seconds the measured client spent (user + system).</summary>
    private readonly record struct Run(double Seconds, double CpuSeconds);

    private const int Count = 50_000;
    private const int PayloadSize = 100;
    private const int Runs = 3;

    public string Group => "mqtt";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 1000\n", maxQueuedMessages: Count + 1000);
        var dir = TestDirectories.Create("bench-mqtt");
        var lines = Path.Combine(dir, "messages.txt");
        await File.WriteAllLinesAsync(lines, Enumerable.Range(0, Count).Select(Payload), cancellationToken);

        var oursPublish = new List<Run>();
        var theirsPublish = new List<Run>();
        var oursReceive = new List<Run>();
        var theirsReceive = new List<Run>();
        for (var run = 0; run < Runs; run++)
        {
            theirsPublish.Add(await MosquittoPubAsync(broker, lines, cancellationToken));
            oursPublish.Add(await OurPublishAsync(broker, cancellationToken));
            var (ours, theirs) = await ReceiveAsync(broker, dir, run, cancellationToken);
            oursReceive.Add(ours);
            theirsReceive.Add(theirs);
        }

        static double Rate(List<Run> runs) => Count / runs.Min(r => r.Seconds);

        // CPU per message is steadier than wall time on a shared machine: report it beside the rates.
        static double CpuMicros(List<Run> runs) => runs.Min(r => r.CpuSeconds) * 1e6 / Count;
        static string Show(List<Run> runs) => string.Join(", ", runs.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Seconds:0.000}s/{r.CpuSeconds:0.000}cpu")));
        Console.Error.WriteLine($"mqtt publish: ours [{Show(oursPublish)}] mosquitto_pub [{Show(theirsPublish)}]");
        Console.Error.WriteLine($"mqtt receive: ours [{Show(oursReceive)}] mosquitto_sub [{Show(theirsReceive)}]");
        return
        [
            BenchResult.Compared("mqtt.publish_qos1.ratio_vs_mosquitto_pub", Rate(oursPublish), "msg/s", "mosquitto_pub -l -q 1", Rate(theirsPublish), "≥ 0.9"),
            BenchResult.Compared("mqtt.receive.ratio_vs_mosquitto_sub", Rate(oursReceive), "msg/s", "mosquitto_sub -q 1", Rate(theirsReceive), "≥ 0.9"),
            BenchResult.Absolute("mqtt.publish_qos1.ours", Rate(oursPublish), "msg/s"),
            BenchResult.Absolute("mqtt.publish_qos1.mosquitto_pub", Rate(theirsPublish), "msg/s"),
            BenchResult.Absolute("mqtt.receive.ours", Rate(oursReceive), "msg/s"),
            BenchResult.Absolute("mqtt.receive.mosquitto_sub", Rate(theirsReceive), "msg/s"),
            BenchResult.Absolute("mqtt.publish_qos1.cpu.ours", CpuMicros(oursPublish), "µs/msg"),
            BenchResult.Absolute("mqtt.publish_qos1.cpu.mosquitto_pub", CpuMicros(theirsPublish), "µs/msg"),
            BenchResult.Absolute("mqtt.receive.cpu.ours", CpuMicros(oursReceive), "µs/msg"),
            BenchResult.Absolute("mqtt.receive.cpu.mosquitto_sub", CpuMicros(theirsReceive), "µs/msg"),
        ];
    }

    /// <summary>Runs a shell command under bash's <c>time -p</c>; returns wall seconds and the command's user + system CPU seconds.</summary>
    private static async Task<Run> TimedShellAsync(string command, string name)
    {
        var sw = Stopwatch.StartNew();
        using var p = ChildProcess.Start("/bin/bash", ["-c", $"time -p {command}"], name: name);
        if (!await p.WaitForExitAsync(TimeSpan.FromSeconds(120)) || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} failed: {p.Output}");
        }

        var elapsed = sw.Elapsed.TotalSeconds;
        double Field(string key) => double.Parse(
            p.Output.Split('\n').Last(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..],
            CultureInfo.InvariantCulture);
        return new Run(elapsed, Field("user") + Field("sys"));
    }

    private static double OwnCpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>Line i: "i" padded to <see cref="PayloadSize"/> bytes (mosquitto_pub -l strips the newline).</summary>
    private static string Payload(int i) => i.ToString(CultureInfo.InvariantCulture).PadRight(PayloadSize, '.');

    private static MqttClientOptions Options(MosquittoBroker broker, string clientId, bool persistent = false) => new()
    {
        Host = broker.Host,
        Port = broker.Port,
        ClientId = clientId,
        MaxInflightMessages = 1000,
        MaxPendingPublishes = 1000,
        CleanStart = !persistent,
        SessionExpiryInterval = persistent ? TimeSpan.FromMinutes(10) : TimeSpan.Zero,
        Messages = new MqttMessageBufferOptions { Capacity = 4096 },
    };

    private static Task<Run> MosquittoPubAsync(MosquittoBroker broker, string lines, CancellationToken ct) =>
        TimedShellAsync($"{Components.MosquittoPub} -h {broker.Host} -p {broker.Port} -V 5 -q 1 -M 1000 -i bench-pub -t bench/publish -l < {lines}", "mosquitto_pub");

    private static async Task<Run> OurPublishAsync(MosquittoBroker broker, CancellationToken ct)
    {
        var payloads = Enumerable.Range(0, Count).Select(i => Encoding.ASCII.GetBytes(Payload(i))).ToArray();
        var cpu = OwnCpuSeconds();
        var sw = Stopwatch.StartNew();
        await using var client = new MqttClient(Options(broker, "bench-ours-pub"));
        await client.ConnectAsync(ct);
        await PublishAllAsync(client, "bench/publish", payloads);
        await client.DisconnectAsync(cancellationToken: ct);
        return new Run(sw.Elapsed.TotalSeconds, OwnCpuSeconds() - cpu);
    }

    private static async Task PublishAllAsync(MqttClient client, string topic, byte[][] payloads)
    {
        var window = new Queue<Task>(1000);
        foreach (var p in payloads)
        {
            window.Enqueue(client.PublishAsync(topic, p, MqttQos.AtLeastOnce));
            if (window.Count >= 1000)
            {
                await window.Dequeue();
            }
        }

        await Task.WhenAll(window);
    }

    private static async Task<(Run Ours, Run Theirs)> ReceiveAsync(MosquittoBroker broker, string dir, int run, CancellationToken ct)
    {
        var topic = $"bench/receive/{run}";
        var subId = $"bench-sub-{run}";
        var oursId = $"bench-ours-sub-{run}";
        var sub = Components.MosquittoSub;
        var common = $"{sub} -h {broker.Host} -p {broker.Port} -V 5 -q 1 -c -i {subId} -x 600 -t {topic}";

        // Create both persistent sessions, then go offline.
        using (var create = ChildProcess.Start("/bin/bash", ["-c", $"exec {common} -E"], name: "mosquitto_sub-session"))
        {
            if (!await create.WaitForExitAsync(TimeSpan.FromSeconds(30)) || create.ExitCode != 0)
            {
                throw new InvalidOperationException($"mosquitto_sub -E failed: {create.Output}");
            }
        }

        await using (var ours = new MqttClient(Options(broker, oursId, persistent: true)))
        {
            await ours.ConnectAsync(ct);
            await ours.SubscribeAsync(topic, MqttQos.AtLeastOnce, ct);
            await ours.DisconnectAsync(cancellationToken: ct);
        }

        // Queue the same N messages for both sessions.
        await using (var publisher = new MqttClient(Options(broker, "bench-feeder")))
        {
            await publisher.ConnectAsync(ct);
            await PublishAllAsync(publisher, topic, Enumerable.Range(0, Count).Select(i => Encoding.ASCII.GetBytes(Payload(i))).ToArray());
            await publisher.DisconnectAsync(cancellationToken: ct);
        }

        // mosquitto_sub drains its session; %U timestamps every message.
        var output = Path.Combine(dir, $"sub-{run}.txt");
        var theirsRun = await TimedShellAsync($"{common} -C {Count} -F %U > {output}", "mosquitto_sub");
        var stamps = await File.ReadAllLinesAsync(output, ct);
        if (stamps.Length != Count)
        {
            throw new InvalidOperationException($"mosquitto_sub printed {stamps.Length} lines, expected {Count}.");
        }

        var theirs = new Run(double.Parse(stamps[^1], CultureInfo.InvariantCulture) - double.Parse(stamps[0], CultureInfo.InvariantCulture), theirsRun.CpuSeconds);

        // Ours drains its session: first to last message read from the channel.
        var cpu = OwnCpuSeconds();
        await using var client = new MqttClient(Options(broker, oursId, persistent: true));
        var received = 0;
        var sw = new Stopwatch();
        var reading = Task.Run(
            async () =>
            {
                await foreach (var m in client.Messages.ReadAllAsync(ct))
                {
                    if (received++ == 0)
                    {
                        sw.Start();
                    }

                    if (received == Count)
                    {
                        sw.Stop();
                        return;
                    }
                }
            },
            ct);
        await client.ConnectAsync(ct);
        await reading.WaitAsync(TimeSpan.FromSeconds(120), ct);
        await client.DisconnectAsync(cancellationToken: ct);
        return (new Run(sw.Elapsed.TotalSeconds, OwnCpuSeconds() - cpu), theirs);
    }
}
