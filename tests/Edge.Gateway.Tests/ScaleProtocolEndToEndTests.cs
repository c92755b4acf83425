using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Edge.Contracts;
using Edge.Gateway.Tests.Support;
using Edge.Outbox;
using Edge.TestSupport;
using static Edge.Gateway.Tests.Support.IndicatorFrames;

namespace Edge.Gateway.Tests;

/// <summary>
/// Each scale protocol besides Toledo, read by the real gateway process from a test that plays the indicator (a socat
/// pty or a TCP converter) with frames laid out as in the indicator's manual, and checked as the hub sees it on a real
/// Mosquitto: kg values, sign, gross/net, the indicator's motion flag, overload/underload without a value, the
/// gateway's own stability rule, and bad frames counted in the device's health but never turned into a weight.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ScaleProtocolEndToEndTests
{
    private const string Device = "wb1";

    // Continuous indicators send 10–20 frames a second; 20 here.
    private static readonly TimeSpan s_frameInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MtSics_balance_polled_with_SI_over_a_pty_is_stable_only_after_N_replies_without_motion()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var balance = await MtSicsBalance.StartAsync();
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var scale = Scale("mt-sics", Serial(balance.GatewayEnd), Stability(minSamples: 5, toleranceKg: 0.05, TimeSpan.Zero));
        scale["PollCommand"] = "SI";
        scale["PollInterval"] = "00:00:00.100";
        using var gw = StartGateway(id, broker, scale);

        // A truck driving on: the balance answers "dynamic".
        balance.Script(MtSicsWeight('D', "1180.0", "kg"), 3);

        // Settling: three stable replies, one with the motion flag although the value did not change, then four more.
        // Four in a row after the motion flag are one short of N = 5, however long the gateway waits for the fifth.
        balance.Script(MtSicsWeight('S', "1234.5", "kg"), 3);
        balance.Script(MtSicsWeight('D', "1234.5", "kg"));
        balance.Script(MtSicsWeight('S', "1234.5", "kg"), 4);
        await balance.AnsweredAllAsync(gw, s_patience);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var beforeFifth = Weights(hub);
        var first = Assert.Single(beforeFifth);
        Assert.Equal(1180.0, first.ValueKg);
        Assert.True(first.Motion);
        Assert.False(first.Stable);

        balance.Script(MtSicsWeight('S', "1234.5", "kg"));
        var stable = await ReadingAsync(hub, gw, w => w.Stable);
        Assert.Equal(1234.5, stable.ValueKg);
        Assert.False(stable.Motion);
        Assert.Equal(IndicatorStatus.Ok, stable.Status);
        Assert.Equal(WeightMode.Gross, stable.Mode);

        // The first reply after the stable one moves: published at once with the balance's motion flag.
        balance.Script(MtSicsWeight('D', "1236.0", "kg"));
        var moving = await ReadingAsync(hub, gw, w => w.Seq > stable.Seq);
        Assert.Equal(1236.0, moving.ValueKg);
        Assert.True(moving.Motion);
        Assert.False(moving.Stable);

        // The gateway asked with the configured command, also while the balance was silent (≥ 10 polls in 1.5 s).
        Assert.All(balance.Commands, c => Assert.Equal("SI", c));
        Assert.True(balance.Commands.Count >= 13 + 10, $"{balance.Commands.Count} polls");
        Assert.Equal([first.Seq, stable.Seq, moving.Seq], Weights(hub).Select(w => w.Seq));
        Assert.All(Weights(hub), w => Assert.Equal(Device, w.Device));
        Assert.All(hub.Health.Where(h => h.Device == Device), h => Assert.Equal(0L, h.ErrorCount));
    }

    [Fact]
    public async Task MtSics_units_become_kg_overload_and_underload_carry_no_value_and_error_replies_are_counted_not_weighed()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var balance = await MtSicsBalance.StartAsync();
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var scale = Scale("mt-sics", Serial(balance.GatewayEnd), Stability(minSamples: 3, toleranceKg: 0.05, TimeSpan.Zero));

        // "S": the stable-weight command; the balance answers S S, or S +/S -, or S I when it cannot.
        scale["PollCommand"] = "S";
        scale["PollInterval"] = "00:00:00.100";
        using var gw = StartGateway(id, broker, scale);

        // Tonnes and grams become kg; a negative reading after zeroing stays negative.
        balance.Script(MtSicsWeight('S', "1.234", "t"), 3);
        await ReadingAsync(hub, gw, w => w.Stable && w.ValueKg == 1234.0);
        balance.Script(MtSicsWeight('S', "-250.0", "g"), 3);
        await ReadingAsync(hub, gw, w => w.Stable && w.ValueKg == -0.25);

        balance.Script(MtSicsStatus('+'), 2);
        var overload = await ReadingAsync(hub, gw, w => w.Status == IndicatorStatus.Overload);

        // Errors the manual lists (syntax, transmission, logical, busy) and two broken replies: six failed reads.
        balance.Script(MtSicsError("ES"), MtSicsError("ET"), MtSicsError("EL"), MtSicsStatus('I'), MtSicsWeight('S', "12x.4", "kg"), MtSicsWeight('S', "5.0", "oz"));
        balance.Script(MtSicsStatus('-'), 2);
        var underload = await ReadingAsync(hub, gw, w => w.Status == IndicatorStatus.Underload);

        balance.Script(MtSicsWeight('S', "0.000", "kg"), 3);
        await ReadingAsync(hub, gw, w => w.Stable && w.ValueKg == 0.0);
        var health = await ErrorCountReachedAsync(hub, gw, 6);

        Assert.Null(overload.ValueKg);
        Assert.False(overload.Stable);
        Assert.Null(underload.ValueKg);
        Assert.False(underload.Stable);
        var weights = Weights(hub);
        Assert.Equal([1234.0, -0.25, 0.0], weights.Where(w => w.Stable).Select(w => w.ValueKg!.Value));
        Assert.Single(weights, w => w.Status == IndicatorStatus.Overload);
        Assert.Single(weights, w => w.Status == IndicatorStatus.Underload);

        // Nothing from an error reply became a value: every value is one the balance really showed.
        Assert.All(weights.Where(w => w.ValueKg is not null), w => Assert.Contains(w.ValueKg!.Value, new[] { 1234.0, -0.25, 0.0 }));
        Assert.Equal(6L, health.ErrorCount);
        Assert.All(balance.Commands, c => Assert.Equal("S", c));
        Assert.Contains(hub.Health, h => h.Device == Device && h.State != DeviceState.Ok && h.Message is not null && h.Message.Contains("last error: frame rejected: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Xk3190A9_frames_in_tonnes_are_stable_only_within_tolerance_for_the_min_duration_and_bad_frames_are_dropped()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var indicator = await PtyIndicator.StartAsync();
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var minDuration = TimeSpan.FromSeconds(2);
        var scale = Scale("xk3190-a9", Serial(indicator.GatewayEnd), Stability(minSamples: 3, toleranceKg: 10, minDuration));

        // The A9 frame carries neither unit nor gross/net: this indicator is calibrated in tonnes and shows net.
        scale["Unit"] = "Tonne";
        scale["ReportedMode"] = "Net";
        scale["CapacityKg"] = 30_000;
        scale["Deadband"] = 20;
        using var gw = StartGateway(id, broker, scale);
        await gw.WaitForOutputAsync($"Scale {Device}: source opened", s_patience);

        // Six identical frames arriving together: N is met, T is not, so not stable.
        await indicator.WriteAsync(Concat(Enumerable.Repeat(A9('+', "005000", '3'), 6)));
        await Task.Delay(300);

        // Two seconds of samples that swing 30 kg, more than the ±10 kg band allows: never stable.
        await FeedAsync(indicator, Enumerable.Range(0, 40).Select(i => A9('+', i % 2 == 0 ? "008000" : "008030", '3')));

        // Settled within ±5 kg: stable, but not before T has passed since the first of these frames was sent.
        var settledFrom = await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable), A9('+', "012340", '3'), A9('+', "012345", '3'), A9('+', "012335", '3'));
        var stable = Assert.Single(Weights(hub), w => w.Stable);
        Assert.Contains(stable.ValueKg!.Value, new[] { 12_340.0, 12_345.0, 12_335.0 });
        Assert.True(stable.Ts >= settledFrom + minDuration, $"stable at {stable.Ts:O}, first settled frame sent at {settledFrom:O}");

        // Unloaded and zeroed net: a negative weight.
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == -15.0), A9('-', "000015", '3'));

        // Beyond the configured capacity (the format has no overload frame): overload, never a stable weight.
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Status == IndicatorStatus.Overload), A9('+', "035000", '3'));

        // 45 frames with a wrong checksum (longer than T: they would settle if accepted) and 5 with a letter among
        // the digits but a right checksum.
        await FeedAsync(indicator, Enumerable.Repeat(A9('+', "020000", '3', corruptChecksum: true), 45).Concat(Enumerable.Repeat(A9('+', "0A0000", '3'), 5)));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Status == IndicatorStatus.Ok && w.ValueKg == 0.0), A9('+', "000000", '3'));
        var health = await ErrorCountReachedAsync(hub, gw, 50);

        var weights = Weights(hub);
        Assert.Equal(50L, health.ErrorCount);
        Assert.Equal(5000.0, weights[0].ValueKg);
        Assert.False(weights[0].Stable);
        Assert.Equal([stable.ValueKg!.Value, -15.0], weights.Where(w => w.Stable).Select(w => w.ValueKg!.Value));
        Assert.DoesNotContain(weights, w => w.ValueKg == 20_000.0);
        var overload = Assert.Single(weights, w => w.Status == IndicatorStatus.Overload);
        Assert.False(overload.Stable);
        Assert.All(weights, w =>
        {
            Assert.Equal(WeightMode.Net, w.Mode);
            Assert.False(w.Motion);
        });
    }

    [Fact]
    public async Task Xk3190A12_frames_over_tcp_give_gross_net_negative_tonnes_and_overload_and_a_bad_checksum_is_dropped_and_counted()
    {
        // The manual's own example frame, to check the frame builder before trusting it.
        Assert.Equal("WG004.139kg3D\r\n", Encoding.ASCII.GetString(A12('G', "004.139", "kg")));

        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var indicator = new TcpIndicator();
        await using var hub = await HubStandIn.StartAsync(broker, id);
        using var gw = StartGateway(id, broker, Scale("xk3190-a12", Tcp(indicator.Port), Stability(minSamples: 3, toleranceKg: 0.01, TimeSpan.FromMilliseconds(300))));

        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == 4.139), A12('G', "004.139", "kg"));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == -1.25), A12('N', "-01.250", "kg"));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == 12_340.0), A12('G', "012.340", "t "));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Status == IndicatorStatus.Overload), A12Overload());
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Status == IndicatorStatus.Underload), A12Underload());

        // 15 frames of 88.888 kg with a flipped checksum bit (0.75 s: they would settle if accepted), and 3 lines of a
        // checksum-less clone, which a genuine A12 configuration refuses.
        await FeedAsync(indicator, Enumerable.Repeat(A12('G', "088.888", "kg", corruptChecksum: true), 15).Concat(Enumerable.Repeat(A12WithoutChecksum("0088.888", "kg"), 3)));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == 0.0), A12('G', "000.000", "kg"));
        var health = await ErrorCountReachedAsync(hub, gw, 18);

        var weights = Weights(hub);
        Assert.Equal(18L, health.ErrorCount);
        Assert.Contains(hub.Health, h => h.Device == Device && h.State != DeviceState.Ok && h.Message is not null && h.Message.Contains("frame rejected: ChecksumMismatch", StringComparison.Ordinal));
        Assert.DoesNotContain(weights, w => w.ValueKg == 88.888);
        Assert.Equal(
            [(4.139, WeightMode.Gross), (-1.25, WeightMode.Net), (12_340.0, WeightMode.Gross), (0.0, WeightMode.Gross)],
            weights.Where(w => w.Stable).Select(w => (w.ValueKg!.Value, w.Mode)));
        var overload = Assert.Single(weights, w => w.Status == IndicatorStatus.Overload);
        var underload = Assert.Single(weights, w => w.Status == IndicatorStatus.Underload);
        Assert.Null(overload.ValueKg);
        Assert.Null(underload.ValueKg);
        Assert.False(overload.Stable || underload.Stable);
        Assert.All(weights, w => Assert.False(w.Motion));
    }

    [Fact]
    public async Task Regex_format_over_tcp_maps_status_mode_sign_and_unit_and_lines_that_do_not_match_are_counted()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var indicator = new TcpIndicator();
        await using var hub = await HubStandIn.StartAsync(broker, id);
        var scale = Scale("regex", Tcp(indicator.Port), Stability(minSamples: 3, toleranceKg: 0.05, TimeSpan.FromMilliseconds(300)));

        // The "header, mode, signed value, unit" family: ST stable, US unstable, OL overload; GS gross, NT net.
        scale["Regex"] = new JsonObject { ["Pattern"] = @"^(?<status>ST|US|OL),(?<mode>GS|NT),(?<weight>[+-][ 0-9.]{7})\s*(?<unit>kg|lb|g|t)$" };
        using var gw = StartGateway(id, broker, scale);

        // Half a second of a constant value flagged unstable: N and T are met, the indicator's motion flag wins.
        await FeedAsync(indicator, Enumerable.Repeat(Line("US,GS,+0120.50kg"), 10));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == 123.4), Line("ST,GS,+0123.40kg"));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == -0.25), Line("ST,NT,-0250.00g"));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && Math.Abs(w.ValueKg!.Value - 45.359237) < 1e-9), Line("ST,GS,+0100.00lb"));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Status == IndicatorStatus.Overload), Line("OL,GS,+9999.99kg"));

        // Lines that do not match the pattern: a letter in the value, an unknown unit, an unknown mode (5 of each).
        await FeedAsync(indicator, Enumerable.Range(0, 15).Select(i => Line((i % 3) switch
        {
            0 => "ST,GS,+01x3.40kg",
            1 => "ST,GS,+0777.00oz",
            _ => "ST,XX,+0777.00kg",
        })));
        await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == 0.0), Line("ST,GS,+0000.00kg"));
        var health = await ErrorCountReachedAsync(hub, gw, 15);

        var weights = Weights(hub);
        Assert.Equal(15L, health.ErrorCount);
        Assert.Equal(120.5, weights[0].ValueKg);
        Assert.True(weights[0].Motion);
        Assert.DoesNotContain(weights, w => w.Stable && w.ValueKg == 120.5);
        Assert.DoesNotContain(weights, w => w.ValueKg is 777.0 or 0.777);
        var stable = weights.Where(w => w.Stable).ToList();
        Assert.Equal(4, stable.Count);
        Assert.Equal((123.4, WeightMode.Gross), (stable[0].ValueKg!.Value, stable[0].Mode));
        Assert.Equal((-0.25, WeightMode.Net), (stable[1].ValueKg!.Value, stable[1].Mode));
        Assert.Equal(45.359237, stable[2].ValueKg!.Value, 9);
        Assert.Equal(0.0, stable[3].ValueKg);
        Assert.All(stable, w => Assert.False(w.Motion));
        var overload = Assert.Single(weights, w => w.Status == IndicatorStatus.Overload);
        Assert.Null(overload.ValueKg);
        Assert.False(overload.Stable);
    }

    [Fact]
    public async Task Each_weight_gets_its_own_seq_from_the_outbox_and_is_on_disk_when_the_broker_delivers_it()
    {
        var broker = await SharedMosquitto.GetAsync();
        var id = TestDirectories.UniqueToken("gw");
        await using var indicator = new TcpIndicator();

        // No acknowledgements: the outbox may delete nothing, so after the kill it must still hold every reading.
        await using var hub = await HubStandIn.StartAsync(broker, id, acknowledge: false);
        using var gw = StartGateway(id, broker, Scale("xk3190-a12", Tcp(indicator.Port), Stability(minSamples: 3, toleranceKg: 0.01, TimeSpan.FromMilliseconds(200))));

        string[] loads = ["010.000", "020.000", "030.000", "040.000"];
        foreach (var load in loads)
        {
            var kg = double.Parse(load, CultureInfo.InvariantCulture);
            await FeedAsync(indicator, [A12('G', "005.000", "kg")]);
            await FeedUntilAsync(indicator, gw, () => Weights(hub).Any(w => w.Stable && w.ValueKg == kg), A12('G', load, "kg"));
        }

        // Killed the moment the hub has the last weighing: whatever the broker delivered must already be durable.
        gw.Process.KillHard();
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(500);
        var received = Weights(hub);

        var corrupt = false;
        IReadOnlyList<OutboxEntry> entries;
        await using (var outbox = new Outbox.Outbox(new OutboxOptions { DatabasePath = gw.OutboxPath }))
        {
            outbox.CorruptDatabaseMovedAside += (_, _) => corrupt = true;
            await outbox.OpenAsync();
            entries = await outbox.ReadAsync(0, 1_000_000);
        }

        Assert.False(corrupt);

        // No seq ever came with two different readings (the hub stand-in compares every delivery, replays included),
        // seqs follow the order the readings were taken, have no gaps, and each weighing has exactly one.
        Assert.Empty(hub.Conflicts);
        Assert.Equal(received.OrderBy(w => w.Ts).Select(w => w.Seq), received.Select(w => w.Seq));
        Assert.Empty(hub.MissingThrough(received[^1].Seq));
        Assert.Equal([10.0, 20.0, 30.0, 40.0], received.Where(w => w.Stable).Select(w => w.ValueKg!.Value));

        // The outbox holds 1..N without gaps, and each seq the hub got is the outbox's entry for exactly that reading.
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
        var bySeq = entries.ToDictionary(e => e.Seq);
        var readingType = (JsonTypeInfo<Reading>)ContractJsonContext.Wire.GetTypeInfo(typeof(Reading))!;
        Assert.All(received, w =>
        {
            Assert.True(bySeq.TryGetValue(w.Seq, out var entry), $"seq {w.Seq} delivered but not in the outbox");
            Assert.Equal(Device, entry.DeviceId);
            var stored = JsonSerializer.Deserialize(entry.Payload.Span, readingType);
            Assert.Equal(w, stored! with { Seq = w.Seq });
        });
    }

    private static JsonObject Scale(string protocol, JsonObject connection, JsonObject stability) => new()
    {
        ["Id"] = Device,
        ["Type"] = "scale",
        ["Station"] = "lane-1",
        ["Protocol"] = protocol,
        ["Connection"] = connection,
        ["Stability"] = stability,
    };

    private static JsonObject Stability(int minSamples, double toleranceKg, TimeSpan minDuration) => new()
    {
        ["MinSamples"] = minSamples,
        ["ToleranceKg"] = toleranceKg,
        ["MinDuration"] = minDuration.ToString("c", CultureInfo.InvariantCulture),
    };

    private static JsonObject Tcp(int port) => new() { ["Kind"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = port };

    private static JsonObject Serial(string path) => new() { ["Kind"] = "serial", ["Path"] = path, ["BaudRate"] = 9600 };

    private static GatewayProcess StartGateway(string id, MosquittoBroker broker, JsonObject scale)
    {
        var config = GatewayProcess.Config(id, broker, scale);

        // Health (with the error count) every second, so a test sees the count soon after the last bad frame.
        config["Gateway"]!["Publishing"]!["HealthInterval"] = "00:00:01";
        return GatewayProcess.Start(config);
    }

    /// <summary>The weights the hub stored, in seq order.</summary>
    private static List<WeightReading> Weights(HubStandIn hub) =>
        [.. hub.Readings.Values.OfType<WeightReading>().OrderBy(w => w.Seq)];

    private static async Task<WeightReading> ReadingAsync(HubStandIn hub, GatewayProcess gw, Func<WeightReading, bool> match)
    {
        WeightReading? found = null;
        await LifecycleTests.WaitUntilAsync(() => (found = Weights(hub).FirstOrDefault(match)) is not null, gw, s_patience);
        return found!;
    }

    /// <summary>The first health report of the scale whose error count reached <paramref name="expected"/>.</summary>
    private static async Task<DeviceHealth> ErrorCountReachedAsync(HubStandIn hub, GatewayProcess gw, long expected)
    {
        DeviceHealth? found = null;
        await LifecycleTests.WaitUntilAsync(() => (found = hub.Health.FirstOrDefault(h => h.Device == Device && h.ErrorCount >= expected)) is not null, gw, s_patience);
        return found!;
    }

    /// <summary>Sends the frames one per frame interval, as a continuously transmitting indicator does.</summary>
    private static async Task FeedAsync(IIndicatorLink link, IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
        {
            await link.WriteAsync(frame);
            await Task.Delay(s_frameInterval);
        }
    }

    /// <summary>
    /// Sends the frames in turn, one per frame interval, until <paramref name="done"/>; returns when the first was
    /// sent (taken before writing it, so no frame of the run can have arrived earlier).
    /// </summary>
    private static async Task<DateTimeOffset> FeedUntilAsync(IIndicatorLink link, GatewayProcess gw, Func<bool> done, params byte[][] frames)
    {
        var first = DateTimeOffset.UtcNow;
        var deadline = DateTime.UtcNow + s_patience;
        for (var i = 0; !done(); i++)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the expected reading did not arrive; gateway output:\n" + gw.Output);
            }

            if (gw.Process.HasExited)
            {
                throw new InvalidOperationException($"gateway exited with {gw.Process.ExitCode}:\n" + gw.Output);
            }

            await link.WriteAsync(frames[i % frames.Length]);
            await Task.Delay(s_frameInterval);
        }

        return first;
    }

    private static byte[] Concat(IEnumerable<byte[]> frames) => [.. frames.SelectMany(f => f)];
}
