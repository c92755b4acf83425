using System.Diagnostics;
using System.Globalization;
using Edge.Modbus;
using Edge.TestSupport;

namespace Edge.Benchmarks.Modbus;

/// <summary>
/// Read-10-holding-registers transactions per second, one at a time, from our TCP master against our libmodbus
/// server on loopback, compared with pymodbus's asyncio client against the same server in the same run.
/// The two are measured in alternating rounds and each side reports its median round, so a load change on a shared
/// machine during the run biases neither.
/// </summary>
internal sealed class ModbusBenchmark : IBenchmark
{
    private const int Rounds = 7;
    private const int OurTransactionsPerRound = 3_000;
    private const int PymodbusTransactionsPerRound = 600;
    private const string PeerRelativePath = "tests/Edge.Modbus.Tests/peers/pymodbus_bench_client.py";

    public string Group => "modbus";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        Components.RequirePythonModule("pymodbus", "python3-pymodbus");
        var script = FindPeerScript();

        using var store = new ModbusDataStore(125);
        store.WriteHoldingRegisters(0, [.. Enumerable.Range(0, 125).Select(i => (ushort)i)]);
        await using var server = ModbusTcpServer.Start(store, new ModbusTcpServerOptions { Port = 0 });
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = server.Port, ResponseTimeout = TimeSpan.FromSeconds(2) });
        using var python = ChildProcess.Start(
            Components.SystemPython,
            ["-u", script, server.Port.ToString(CultureInfo.InvariantCulture)],
            name: "pymodbus-bench");
        await python.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30));

        var buffer = new ushort[10];
        await MeasureOursAsync(client, buffer, 1_000, cancellationToken);
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            ours.Add(await MeasureOursAsync(client, buffer, OurTransactionsPerRound, cancellationToken));
            theirs.Add(await MeasurePymodbusRoundAsync(python, round));
        }

        if (buffer[9] != 9)
        {
            throw new InvalidOperationException($"unexpected register value {buffer[9]}");
        }

        await python.StandardInput.WriteLineAsync("quit");
        await python.StandardInput.FlushAsync(cancellationToken);

        var oursMedian = Median(ours);
        return
        [
            BenchResult.Compared("modbus.tcp_read10.ratio_vs_pymodbus", Math.Round(oursMedian, 1), "tx/s", "pymodbus AsyncModbusTcpClient", Math.Round(Median(theirs), 1), "≥ 5"),
            BenchResult.Absolute("modbus.tcp_read10.us_per_transaction", Math.Round(1_000_000 / oursMedian, 2), "µs"),
        ];
    }

    private static async Task<double> MeasureOursAsync(ModbusTcpClient client, ushort[] buffer, int transactions, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < transactions; i++)
        {
            await client.ReadHoldingRegistersAsync(1, 0, buffer, cancellationToken);
        }

        return transactions / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> MeasurePymodbusRoundAsync(ChildProcess python, int round)
    {
        await python.StandardInput.WriteLineAsync($"go {PymodbusTransactionsPerRound}");
        await python.StandardInput.FlushAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var rates = python.Output.Split('\n').Where(l => l.StartsWith("RATE ", StringComparison.Ordinal)).ToList();
            if (rates.Count > round)
            {
                return double.Parse(rates[round]["RATE ".Length..], CultureInfo.InvariantCulture);
            }

            if (python.HasExited)
            {
                break;
            }

            await Task.Delay(5);
        }

        throw new InvalidOperationException($"pymodbus bench client gave no rate for round {round}. Output:\n{python.Output}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The peer script lives with the Modbus tests; find it from the working directory or the binary's.</summary>
    private static string FindPeerScript()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, PeerRelativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"{PeerRelativePath} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
    }
}
