using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Edge.Modbus.Tests.Support;
using Edge.TestSupport;
using Xunit;

namespace Edge.Modbus.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusServerTests
{
    private static ModbusTcpServer StartServer(ModbusDataStore store, int maxClients = 16) =>
        ModbusTcpServer.Start(store, new ModbusTcpServerOptions { Port = 0, MaxClients = maxClients });

    private static ModbusTcpClient ClientFor(ModbusTcpServer server) =>
        new(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = server.Port, ResponseTimeout = TimeSpan.FromSeconds(2) });

    [Fact]
    public async Task Pymodbus_client_reads_the_values_we_set_and_its_writes_reach_our_store()
    {
        PyModbusPeer.RequirePymodbus();
        using var store = new ModbusDataStore(100);
        store.WriteHoldingRegisters(0, [.. Enumerable.Range(500, 10).Select(i => (ushort)i)]);
        store.WriteInputRegisters(0, [.. Enumerable.Range(700, 10).Select(i => (ushort)i)]);
        store.WriteCoils(0, [true, false, true, false, false, false, false, false, false, true]);
        store.WriteDiscreteInputs(0, [false, true, true, false, false, false, false, false, true, false]);
        await using var server = StartServer(store);

        using var python = ChildProcess.Start(
            Components.SystemPython,
            ["-u", PyModbusPeer.PeerScript("pymodbus_client_check.py"), server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            name: "pymodbus-client");
        await python.WaitForOutputAsync("RESULT ", TimeSpan.FromSeconds(30));
        var line = python.Output.Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line["RESULT ".Length..]);
        var root = json.RootElement;

        Assert.Equal(Enumerable.Range(500, 10), root.GetProperty("hr").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Enumerable.Range(700, 10), root.GetProperty("ir").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([true, false, true, false, false, false, false, false, false, true], root.GetProperty("co").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.Equal([false, true, true, false, false, false, false, false, true, false], root.GetProperty("di").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.False(root.GetProperty("write_register_error").GetBoolean());
        Assert.False(root.GetProperty("write_coils_error").GetBoolean());
        Assert.Equal(2, root.GetProperty("out_of_range_exception_code").GetInt32());

        Assert.Equal(4321, store.GetHoldingRegister(50));
        Assert.True(store.GetCoil(60));
        Assert.False(store.GetCoil(61));
        Assert.True(store.GetCoil(62));
        Assert.True(store.Writes.TryRead(out var first));
        Assert.Equal(new ModbusWriteNotice(1, ModbusTable.HoldingRegisters, 50, 1), first);
        Assert.True(store.Writes.TryRead(out var second));
        Assert.Equal(new ModbusWriteNotice(1, ModbusTable.Coils, 60, 3), second);
    }

    [Fact]
    public async Task Port_zero_listens_on_a_free_port_and_reports_it()
    {
        using var store = new ModbusDataStore(10);
        await using var server = StartServer(store);
        Assert.InRange(server.Port, 1, 65535);
        Assert.Equal(IPAddress.Loopback, server.EndPoint.Address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        Assert.True(tcp.Connected);
    }

    [Fact]
    public async Task Our_client_and_server_agree_on_every_function_code_with_start_addresses()
    {
        using var store = new ModbusDataStore(new(1000, 100), new(2000, 50), new(3000, 125), new(4000, 10));
        store.WriteDiscreteInputs(2000, [true, false, true]);
        store.WriteInputRegisters(4000, [11, 22, 33]);
        await using var server = StartServer(store);
        await using var client = ClientFor(server);

        await client.WriteSingleCoilAsync(1, 1000, true);
        await client.WriteMultipleCoilsAsync(1, 1001, new[] { false, true, true });
        Assert.Equal(new[] { true, false, true, true }, await client.ReadCoilsAsync(1, 1000, 4));
        Assert.Equal(new[] { true, false, true }, await client.ReadDiscreteInputsAsync(1, 2000, 3));
        await client.WriteSingleRegisterAsync(1, 3000, 7);
        await client.WriteMultipleRegistersAsync(1, 3001, new ushort[] { 8, 9 });
        Assert.Equal([7, 8, 9], await client.ReadHoldingRegistersAsync(1, 3000, 3));
        Assert.Equal([11, 22, 33], await client.ReadInputRegistersAsync(1, 4000, 3));
        Assert.Equal([11], await client.ReadInputRegistersAsync(0xFF, 4000, 1));
        Assert.Equal([11], await client.ReadInputRegistersAsync(0, 4000, 1));
        Assert.Equal([9, 100, 101], await client.WriteReadMultipleRegistersAsync(1, 3003, new ushort[] { 100, 101 }, 3002, 3));
        Assert.Equal(101, store.GetHoldingRegister(3004));

        var below = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 2999, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, below.ExceptionCode);
        var above = await Assert.ThrowsAsync<ModbusException>(() => client.WriteSingleCoilAsync(1, 1100, true));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, above.ExceptionCode);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Values_set_while_serving_are_seen_by_the_next_request()
    {
        using var store = new ModbusDataStore(10);
        await using var server = StartServer(store);
        await using var client = ClientFor(server);
        for (ushort i = 0; i < 50; i++)
        {
            store.WriteInputRegisters(0, [i, (ushort)(i * 2)]);
            Assert.Equal([i, (ushort)(i * 2)], await client.ReadInputRegistersAsync(1, 0, 2));
        }
    }

    [Fact]
    public async Task Several_clients_are_served_at_once()
    {
        using var store = new ModbusDataStore(125);
        store.WriteHoldingRegisters(0, [.. Enumerable.Range(0, 125).Select(i => (ushort)(i * 3))]);
        await using var server = StartServer(store);
        var clients = Enumerable.Range(0, 4).Select(_ => ClientFor(server)).ToArray();
        try
        {
            await Task.WhenAll(clients.Select(async (c, n) =>
            {
                for (var i = 0; i < 100; i++)
                {
                    var address = (ushort)((i + n) % 100);
                    var regs = await c.ReadHoldingRegistersAsync(1, address, 5);
                    Assert.Equal(address * 3, regs[0]);
                }
            }));
            Assert.Equal(4, server.ClientCount);
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Connections_beyond_MaxClients_are_closed_and_the_others_keep_working()
    {
        using var store = new ModbusDataStore(10);
        await using var server = StartServer(store, maxClients: 1);
        await using var first = ClientFor(server);
        await first.ReadHoldingRegistersAsync(1, 0, 1);
        await using var second = ClientFor(server);
        await Assert.ThrowsAnyAsync<ModbusIOException>(() => second.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Equal([0], await first.ReadHoldingRegistersAsync(1, 0, 1));
    }

    [Fact]
    public async Task Stop_disconnects_clients_ends_the_thread_and_closes_every_descriptor()
    {
        // The first round opens what the runtime creates lazily (socket engine, timers); the second must add nothing.
        await StartServeAndStopAsync();
        var before = ProcessDescriptors.Count();
        await StartServeAndStopAsync();
        var after = await ProcessDescriptors.SettledCountAsync(before + ProcessDescriptors.Slack);
        Assert.True(after <= before + ProcessDescriptors.Slack, $"descriptors before {before}, after {after}");
    }

    private static async Task StartServeAndStopAsync()
    {
        using var store = new ModbusDataStore(10);
        var server = StartServer(store);
        var clients = Enumerable.Range(0, 3).Select(_ => ClientFor(server)).ToArray();
        foreach (var c in clients)
        {
            await c.ReadHoldingRegistersAsync(1, 0, 1);
        }

        Assert.True(server.IsServing);
        Assert.Equal(3, server.ClientCount);
        await server.DisposeAsync();
        Assert.False(server.IsServing);

        // Each client sees the connection closed by the server.
        foreach (var c in clients)
        {
            await Assert.ThrowsAnyAsync<ModbusIOException>(() => c.ReadHoldingRegistersAsync(1, 0, 1));
            await c.DisposeAsync();
        }

        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, server.Port));
    }

    [Fact]
    public async Task Rtu_server_and_rtu_bus_agree_on_every_function_code_over_a_pty()
    {
        using var pty = await PtyPair.StartAsync();
        using var store = new ModbusDataStore(50);
        store.WriteInputRegisters(0, [5, 6]);
        store.WriteDiscreteInputs(0, [true, true, false]);
        await using var server = ModbusRtuServer.Start(store, new ModbusRtuServerOptions { SerialPort = pty.B, UnitId = 5 });
        await using var bus = new ModbusRtuBus(new ModbusRtuBusOptions { SerialPort = pty.A, ResponseTimeout = TimeSpan.FromMilliseconds(500) });

        await bus.WriteSingleCoilAsync(5, 1, true);
        await bus.WriteMultipleCoilsAsync(5, 2, new[] { true, false, true });
        Assert.Equal(new[] { false, true, true, false, true }, await bus.ReadCoilsAsync(5, 0, 5));
        Assert.Equal(new[] { true, true, false }, await bus.ReadDiscreteInputsAsync(5, 0, 3));
        await bus.WriteSingleRegisterAsync(5, 10, 1234);
        await bus.WriteMultipleRegistersAsync(5, 11, new ushort[] { 1, 2, 3 });
        Assert.Equal([1234, 1, 2, 3], await bus.ReadHoldingRegistersAsync(5, 10, 4));
        Assert.Equal([5, 6], await bus.ReadInputRegistersAsync(5, 0, 2));
        Assert.Equal([1234, 42], await bus.WriteReadMultipleRegistersAsync(5, 11, new ushort[] { 42 }, 10, 2));
        var ex = await Assert.ThrowsAsync<ModbusException>(() => bus.ReadHoldingRegistersAsync(5, 49, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.ExceptionCode);
        Assert.True(server.IsServing);
    }
}

/// <summary>Open descriptors of the test host, from /proc/self/fd.</summary>
internal static class ProcessDescriptors
{
    /// <summary>
    /// Allowed drift between two counts: the runtime opens a few descriptors lazily on first use of a feature
    /// (timers, epoll for sockets). A leak per cycle shows up as thousands.
    /// </summary>
    internal const int Slack = 4;

    internal static int Count() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    /// <summary>
    /// The count once it is at most <paramref name="limit"/>, or after a few seconds of finalizers and waiting: an
    /// earlier test's child-process pipes and the runtime's lazily opened descriptors come and go on their own
    /// schedule, while a leak stays.
    /// </summary>
    internal static async Task<int> SettledCountAsync(int limit)
    {
        var count = Count();
        for (var i = 0; i < 20 && count > limit; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(250);
            count = Count();
        }

        return count;
    }
}
