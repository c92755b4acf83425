using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using Edge.Devices.Tests.Plc;
using Edge.Devices.Tests.Support;
using Edge.Modbus;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Integration;

/// <summary>The PLC poller against the Modbus binding's libmodbus server and client on loopback and on a pty RTU bus.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class ModbusPollingIntegrationTests
{
    private static PlcDeviceOptions Options(string id, byte slave) => new()
    {
        DeviceId = id,
        SlaveId = slave,
        PollInterval = TimeSpan.FromMilliseconds(100),
        Heartbeat = TimeSpan.FromMinutes(10),
        Backoff = new BackoffOptions { Initial = TimeSpan.FromMilliseconds(100), Max = TimeSpan.FromMilliseconds(400) },
    };

    private static void WriteBales(ModbusDataStore store, uint bales) =>
        store.WriteHoldingRegisters(0, [(ushort)(bales >> 16), (ushort)bales]);

    private static async Task<PlcPointValue> NextAsync(PlcPoller poller, string point, Func<PlcPointValue, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await foreach (var v in poller.Values.ReadAllAsync(cts.Token))
        {
            if (v.Point == point && match(v))
            {
                return v;
            }
        }

        throw new InvalidOperationException("values ended");
    }

    [Fact]
    public async Task Plc_map_is_polled_over_tcp_and_a_plc_restart_starts_a_new_epoch()
    {
        Components.RequireLibrary("libmodbus.so.5", "libmodbus5");
        var port = Ports.GetFreeTcpPort();
        var serverOptions = new ModbusTcpServerOptions { Address = "127.0.0.1", Port = port };
        using var store = new ModbusDataStore(1000);
        WriteBales(store, 1_000_000);
        store.WriteHoldingRegisters(2, [1, 7, 253]);
        store.WriteHoldingRegisters(6, [0xE979, 0x42F6]);
        store.SetDiscreteInput(0, true);
        var server = ModbusTcpServer.Start(store, serverOptions);

        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromMilliseconds(300) });
        var poller = new PlcPoller(Options("press1", 1), TestMaps.Press, new ModbusRegisterReader(client), TimeProvider.System, NullLogger.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var run = poller.RunAsync(cts.Token);
        try
        {
            var first = await NextAsync(poller, "bales", _ => true, TimeSpan.FromSeconds(10));
            Assert.Equal(new CounterUpdate(1_000_000, 0, 0, 32, CounterStep.Baseline), first.Counter);

            WriteBales(store, 1_000_012);
            var counted = await NextAsync(poller, "bales", v => v.Counter!.Value.Delta > 0, TimeSpan.FromSeconds(10));
            Assert.Equal(12UL, counted.Counter!.Value.Delta);

            // The PLC restarts: it goes away, then comes back with its counter at 3.
            await server.DisposeAsync();
            await Wait.UntilAsync(() => poller.FailedPolls >= 2, "the outage to be noticed", 10_000);
            Assert.NotEqual(DeviceState.Ok, poller.Health.GetSnapshot().State);

            WriteBales(store, 3);
            server = ModbusTcpServer.Start(store, serverOptions);
            var reset = await NextAsync(poller, "bales", v => v.Counter!.Value.Epoch == 1, TimeSpan.FromSeconds(15));
            Assert.Equal(new CounterUpdate(3, 3, 1, 32, CounterStep.Reset), reset.Counter);

            var reading = Assert.IsType<CounterReading>(reset.ToReading(99));
            Assert.Equal("press1", reading.Device);
            Assert.Equal("bales", reading.Channel);
            Assert.Equal(1, reading.Epoch);
            await Wait.UntilAsync(() => poller.Health.GetSnapshot().ConsecutiveFailures == 0, "recovery");
        }
        finally
        {
            await cts.CancelAsync();
            await run;
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Dead_slave_on_an_rtu_bus_backs_off_while_the_live_one_keeps_counting()
    {
        // The live unit is a pymodbus slave: like PLC firmware it stays silent for other units' requests and answers its
        // own. (A libmodbus slave is no stand-in here: after a request for another unit it ignores the next frame as that
        // unit's reply, which on a bus with a dead unit swallows the live unit's next request.)
        Components.RequireLibrary("libmodbus.so.5", "libmodbus5");
        Components.RequirePythonModule("pymodbus", "python3-pymodbus");
        using var ptys = await SocatPtys.StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "peers", "rtu_unit.py");
        using var slave = ChildProcess.Start(Components.SystemPython, [script, ptys.Device, "1", "115200"], name: "rtu-unit");
        await slave.WaitForOutputAsync("ready", TimeSpan.FromSeconds(20));
        async Task SetBalesAsync(uint bales)
        {
            await slave.StandardInput.WriteLineAsync($"hr 0 {bales >> 16} {bales & 0xFFFF}");
            await slave.StandardInput.FlushAsync();
        }

        await SetBalesAsync(500);
        await using var bus = new ModbusRtuBus(new ModbusRtuBusOptions
        {
            SerialPort = ptys.Host,
            BaudRate = 115200,
            Parity = ModbusParity.None,
            ResponseTimeout = TimeSpan.FromMilliseconds(200),
        });
        var reader = new ModbusRegisterReader(bus);
        var live = new PlcPoller(Options("press1", 1), TestMaps.Press, reader, TimeProvider.System, NullLogger.Instance);
        var dead = new PlcPoller(Options("press2", 2), TestMaps.Press, reader, TimeProvider.System, NullLogger.Instance);

        using var cts = new CancellationTokenSource();
        var runs = new[] { live.RunAsync(cts.Token), dead.RunAsync(cts.Token) };
        ulong counted = 0;
        var drain = Task.Run(async () =>
        {
            await foreach (var v in live.Values.ReadAllAsync())
            {
                counted += v.Counter?.Delta ?? 0;
            }
        });
        for (var i = 1; i <= 8; i++)
        {
            await Task.Delay(500);
            await SetBalesAsync(500 + ((uint)i * 5));
        }

        await Task.Delay(1000);
        await cts.CancelAsync();
        await Task.WhenAll(runs);
        await drain;

        // Unit 2 never answered: every poll failed, it is down, and backoff (capped at 400 ms) kept it from hogging the bus.
        Assert.Equal(dead.Polls, dead.FailedPolls);
        Assert.Equal(DeviceState.Down, dead.Health.GetSnapshot().State);
        Assert.InRange(dead.Polls, 5, 30);

        // Unit 1 lost nothing: every bale counted, no failed poll, about its 100 ms rate. Its typical poll starts on
        // time; the rare one that queued behind unit 2's 200 ms timeouts waits for a couple of them at most (quiet
        // machine: up to ~460 ms). The tail bound leaves room for a loaded machine's stall (891 ms seen once in a full
        // test run) and still fails if unit 2 kept the bus busy without backing off, which delays most polls.
        var summary = $"counted {counted}; live {live.Polls} polls, {live.FailedPolls} failed; dead {dead.Polls}; jitter {live.Jitter.GetSnapshot()}";
        Assert.True(counted == 40, summary);
        Assert.True(live.FailedPolls == 0, summary);
        Assert.True(live.Polls >= 20, summary);
        Assert.Equal(DeviceState.Ok, live.Health.GetSnapshot().State);
        Assert.True(live.Jitter.GetSnapshot().P50 < TimeSpan.FromMilliseconds(50), summary);
        Assert.True(live.Jitter.GetSnapshot().Max < TimeSpan.FromMilliseconds(1500), summary);
    }
}
