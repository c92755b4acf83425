using System.Diagnostics;
using System.Text;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using Edge.Devices.Scales;
using Edge.Modbus;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Benchmarks.Devices;

/// <summary>
/// Device logic figures: Modbus polling capacity through the full PLC poller (coalescing, decoding, report-by-exception)
/// against a libmodbus server on loopback, compared with bare reads of the same requests on the same link; and the
/// Toledo continuous-output parser's frame rate.
/// </summary>
public sealed class DevicesBenchmark : IBenchmark
{
    private const int Entries = 500;
    private static readonly TimeSpan s_measure = TimeSpan.FromSeconds(5);

    public string Group => "devices";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        var (steady, changing, raw) = await MeasurePollingAsync(cancellationToken);
        return
        [
            BenchResult.Compared("plc.poll.registers_per_s", steady, "reg/s", "modbus.raw_read.registers_per_s", raw, "≥ 0.8"),
            BenchResult.Absolute("plc.poll.all_values_changing.registers_per_s", changing, "reg/s"),
            BenchResult.Absolute("scale.toledo.frames_per_s", MeasureParser(), "frames/s"),
        ];
    }

    private static RegisterMap Map()
    {
        var entries = string.Join(",", Enumerable.Range(0, Entries).Select(i =>
            $$"""{"name":"a{{i}}","table":"holding","address":{{i}},"dataType":"u16","unit":"kPa","meaning":"analog"}"""));
        return RegisterMap.Parse($$"""{"schema":"1.0","program":"bench","version":"1","defaults":{"byteOrder":"big","wordOrder":"big"},"entries":[{{entries}}]}""");
    }

    private static async Task<(double Steady, double Changing, double Raw)> MeasurePollingAsync(CancellationToken cancellationToken)
    {
        var port = Ports.GetFreeTcpPort();
        using var store = new ModbusDataStore(1000);
        await using var server = ModbusTcpServer.Start(store, new ModbusTcpServerOptions { Address = "127.0.0.1", Port = port });
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port });
        var options = new PlcDeviceOptions { DeviceId = "bench", SlaveId = 1, PollInterval = TimeSpan.FromMilliseconds(1) };
        var poller = new PlcPoller(options, Map(), new ModbusRegisterReader(client), TimeProvider.System, NullLogger.Instance);
        var registersPerPoll = poller.Requests.Sum(r => r.Count);

        var drain = Task.Run(async () =>
        {
            await foreach (var _ in poller.Values.ReadAllAsync(cancellationToken))
            {
            }
        }, cancellationToken);
        await poller.PollOnceAsync(cancellationToken);

        // Steady plant: values unchanged, so every point is decoded and filtered but none reported: the polling capacity
        // of the link with the poller's own work on top. Compared with bare reads of the same requests, interleaved in
        // short slices so both see the same machine load (other work shares these cores).
        var buffer = new ushort[CoalescingOptions.ProtocolMaxRegisters];
        var steadyPolls = 0L;
        var rawPolls = 0L;
        var steadyTime = TimeSpan.Zero;
        var rawTime = TimeSpan.Zero;
        var slice = TimeSpan.FromMilliseconds(250);
        for (var round = 0; round < s_measure / slice / 2; round++)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < slice)
            {
                if (await poller.PollOnceAsync(cancellationToken) is { } error)
                {
                    throw new InvalidOperationException("A poll failed during the benchmark.", error);
                }

                steadyPolls++;
            }

            steadyTime += sw.Elapsed;
            sw.Restart();
            while (sw.Elapsed < slice)
            {
                foreach (var r in poller.Requests)
                {
                    await client.ReadHoldingRegistersAsync(r.SlaveId, (ushort)r.Address, buffer.AsMemory(0, r.Count), cancellationToken);
                }

                rawPolls++;
            }

            rawTime += sw.Elapsed;
        }

        var steady = steadyPolls * registersPerPoll / steadyTime.TotalSeconds;

        // Worst case: every value changed, so all 500 are reported each poll (the store is written between polls).
        ushort tick = 0;
        var changing = await RatePerSecondAsync(
            () =>
            {
                tick++;
                for (var a = 0; a < Entries; a++)
                {
                    store.SetHoldingRegister((ushort)a, tick);
                }

                return poller.PollOnceAsync(cancellationToken);
            },
            registersPerPoll);

        var rawRate = rawPolls * registersPerPoll / rawTime.TotalSeconds;
        return (steady, changing, rawRate);
    }

    private static async Task<double> RatePerSecondAsync(Func<ValueTask<Exception?>> poll, int registersPerPoll)
    {
        var sw = Stopwatch.StartNew();
        long polls = 0;
        while (sw.Elapsed < s_measure)
        {
            if (await poll() is { } error)
            {
                throw new InvalidOperationException("A poll failed during the benchmark.", error);
            }

            polls++;
        }

        return polls * registersPerPoll / sw.Elapsed.TotalSeconds;
    }

    private static double MeasureParser()
    {
        var parser = new MettlerToledoContinuousParser(checksum: true);
        var frame = new List<byte> { 0x02, 0x24, 0x30, 0x20 };
        frame.AddRange(Encoding.ASCII.GetBytes("024560000000"));
        frame.Add(0x0D);
        frame.Add((byte)(-frame.Sum(b => b) & 0x7F));
        var bytes = frame.ToArray();
        var splitter = new FrameSplitter(parser.CreateFraming(), new FrameCounters());
        var stream = Enumerable.Repeat(bytes, 1000).SelectMany(b => b).ToArray();
        var now = DateTimeOffset.UtcNow;
        long frames = 0;
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 2000)
        {
            ReadOnlySpan<byte> rest = stream;
            while (splitter.TryReadFrame(ref rest, out var f))
            {
                if (parser.TryParse(f, now, out _) == FrameRejection.None)
                {
                    frames++;
                }
            }
        }

        return frames / sw.Elapsed.TotalSeconds;
    }
}
