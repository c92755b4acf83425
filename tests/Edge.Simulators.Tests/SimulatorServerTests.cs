using System.Net.Sockets;
using System.Text;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Scales;
using Edge.Modbus;
using Edge.Simulators.Plc;
using Edge.Simulators.Scanners;
using Edge.Simulators.Weighbridge;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Simulators.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class SimulatorServerTests
{
    private static readonly string s_map = Path.Combine(AppContext.BaseDirectory, "register-maps", "baling-press.json");

    [Fact]
    public async Task Weighbridge_serves_valid_frames_paced_at_about_ten_a_second_over_tcp()
    {
        await using var sim = new ToledoIndicatorSimulator(new ToledoSimulatorOptions { TcpPort = 0, Speed = 5 }, NullLogger.Instance);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", sim.Port!.Value);
        var stream = client.GetStream();
        var parser = new MettlerToledoContinuousParser(checksum: true);
        var received = new List<byte>();
        var buffer = new byte[4096];

        // A loaded machine only slows the simulator down, so the pacing is checked from below: twenty frames at
        // ten a second take about two seconds, never (much) less; a simulator that floods would take milliseconds.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        List<byte[]> frames;
        do
        {
            var n = await stream.ReadAsync(buffer, cts.Token);
            Assert.True(n > 0, "the simulator closed the connection");
            received.AddRange(buffer.AsSpan(0, n));
            frames = [.. Frames(received)];
        }
        while (frames.Count < 21);

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"21 frames arrived in {clock.Elapsed.TotalMilliseconds:F0} ms: not paced at about 10/s");
        Assert.All(frames, f => Assert.Equal(FrameRejection.None, parser.TryParse(f, DateTimeOffset.UnixEpoch, out _)));
    }

    [Fact]
    public async Task Plc_serves_the_register_map_counts_bales_and_resets_on_restart()
    {
        var map = RegisterMap.Load(s_map);
        await using var sim = new BalingPressSimulator(new BalingPressOptions { RegisterMapFile = s_map, BaleInterval = TimeSpan.FromMilliseconds(100), RestartEvery = TimeSpan.Zero }, NullLogger.Instance);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = sim.Port, ResponseTimeout = TimeSpan.FromSeconds(2) });

        async Task<Dictionary<string, double>> ReadAsync()
        {
            var regs = await client.ReadHoldingRegistersAsync(1, 0, 9);
            return map.Entries.Where(e => e.Table == RegisterTable.Holding).ToDictionary(e => e.Name, e => map.ReadValue(e, regs.AsSpan(e.Address, e.RegisterCount)));
        }

        await Task.Delay(700);
        var first = await ReadAsync();
        Assert.InRange(first["bale_count"], 3, 10);
        Assert.Equal(1, first["run_state"]);
        Assert.InRange(first["hydraulic_pressure"], 1_000, 19_000);
        Assert.InRange(first["motor_current"], 30, 60);
        Assert.InRange(first["bale_weight"], 400, 620);
        Assert.InRange(first["oil_temperature"], 25, 65);
        Assert.True((await client.ReadDiscreteInputsAsync(1, 0, 1))[0]);

        sim.Restart();
        await Task.Delay(300);
        var restarted = await ReadAsync();
        Assert.Equal(0, restarted["bale_count"]);
        Assert.Equal(0, restarted["run_state"]);
        await Task.Delay(2500);
        var running = await ReadAsync();
        Assert.Equal(1, running["run_state"]);
        Assert.InRange(running["bale_count"], 1, 8);

        await client.WriteSingleCoilAsync(1, 0, true);
        Assert.True(sim.StackLightRed);
    }

    [Fact]
    public async Task Scanner_sends_crlf_lines_and_sometimes_the_same_read_twice()
    {
        await using var sim = new ScannerSimulator(new ScannerSimulatorOptions { TcpPort = 0, MeanInterval = TimeSpan.FromMilliseconds(60), DoubleReadProbability = 0.5, Seed = 3 }, NullLogger.Instance);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", sim.Port!.Value);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var lines = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (lines.Count < 20)
        {
            lines.Add((await reader.ReadLineAsync(cts.Token))!);
        }

        Assert.All(lines, l => Assert.Matches("^LOT-2026-[0-9]{6}$", l));
        Assert.Contains(lines.Zip(lines.Skip(1)), p => p.First == p.Second);
    }

    [Fact]
    public async Task Rfid_reader_sends_96_bit_epcs_in_hex()
    {
        await using var sim = new ScannerSimulator(new ScannerSimulatorOptions { Rfid = true, TcpPort = 0, MeanInterval = TimeSpan.FromMilliseconds(50) }, NullLogger.Instance);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", sim.Port!.Value);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var line = await reader.ReadLineAsync(cts.Token);
        Assert.Matches("^30[0-9A-F]{22}$", line);
    }

    [Fact]
    public async Task Simulator_process_runs_all_devices_takes_commands_on_stdin_and_stops_on_sigterm()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Edge.Simulators.dll");
        var wb = Ports.GetFreeTcpPort();
        var plcPort = Ports.GetFreeTcpPort();
        var scan = Ports.GetFreeTcpPort();
        using var p = ChildProcess.Start("dotnet", [dll, "all", "--weighbridge-port", $"{wb}", "--plc-port", $"{plcPort}", "--scanner-port", $"{scan}", "--register-map", s_map, "--bale-interval", "0.2", "--restart-every", "0"], name: "simulators");
        await p.WaitForOutputAsync($"listening on 127.0.0.1:{scan}", TimeSpan.FromSeconds(30));
        await p.WaitForOutputAsync($"serving Modbus TCP on 127.0.0.1:{plcPort}", TimeSpan.FromSeconds(5));
        await p.WaitForOutputAsync($"weighbridge listening on 127.0.0.1:{wb}", TimeSpan.FromSeconds(5));

        await p.WaitForOutputAsync("Bale 2 finished", TimeSpan.FromSeconds(10));
        await p.StandardInput.WriteLineAsync("restart");
        await p.StandardInput.FlushAsync();
        await p.WaitForOutputAsync("PLC restarted (restart 1)", TimeSpan.FromSeconds(5));

        p.Terminate();
        Assert.True(await p.WaitForExitAsync(TimeSpan.FromSeconds(10)), p.Output);
        Assert.Equal(0, p.ExitCode);
    }

    private static IEnumerable<byte[]> Frames(List<byte> bytes)
    {
        var start = bytes.IndexOf(0x02);
        while (start >= 0 && start + ToledoFrame.Length <= bytes.Count)
        {
            yield return [.. bytes.GetRange(start, ToledoFrame.Length)];
            start = bytes.IndexOf(0x02, start + ToledoFrame.Length);
        }
    }
}
