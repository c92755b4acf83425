using Edge.Modbus.Internal;
using Edge.TestSupport;
using Xunit;

namespace Edge.Modbus.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusLeakTests
{
    private const int Cycles = 10_000;

    [Fact]
    public async Task Ten_thousand_context_connect_close_cycles_leave_no_live_handles_or_descriptors()
    {
        using var store = new ModbusDataStore(10);
        await using var server = ModbusTcpServer.Start(store, new ModbusTcpServerOptions { Port = 0 });
        Cycle(server.Port, 200);
        await WaitForServerToDropClientsAsync(server);
        var handles = ModbusNativeDiagnostics.LiveHandles;
        var fds = ProcessDescriptors.Count();

        Cycle(server.Port, Cycles);
        await WaitForServerToDropClientsAsync(server);

        Assert.Equal(handles, ModbusNativeDiagnostics.LiveHandles);
        var fdsAfter = await ProcessDescriptors.SettledCountAsync(fds + ProcessDescriptors.Slack);
        Assert.True(fdsAfter <= fds + ProcessDescriptors.Slack, $"descriptors before {fds}, after {fdsAfter}");
    }

    [Fact]
    public void Ten_thousand_mapping_cycles_leave_no_live_handles()
    {
        var before = ModbusNativeDiagnostics.LiveMappings;
        for (var i = 0; i < Cycles; i++)
        {
            var store = new ModbusDataStore(new(0, 2000), new(0, 2000), new(0, 125), new(0, 125));
            store.SetHoldingRegister(124, (ushort)i);
            Assert.Equal(before + 1, ModbusNativeDiagnostics.LiveMappings);
            store.Dispose();
        }

        Assert.Equal(before, ModbusNativeDiagnostics.LiveMappings);
    }

    [Fact]
    public async Task Disposed_clients_buses_servers_and_stores_bring_the_counts_back_to_zero()
    {
        var baseline = ModbusNativeDiagnostics.LiveHandles;
        var fds = ProcessDescriptors.Count();
        for (var i = 0; i < 300; i++)
        {
            var store = new ModbusDataStore(10);
            var server = ModbusTcpServer.Start(store, new ModbusTcpServerOptions { Port = 0 });
            var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = server.Port });
            await client.ReadHoldingRegistersAsync(1, 0, 1);
            var bus = new ModbusRtuBus(new ModbusRtuBusOptions { SerialPort = "/nonexistent/tty" });
            await Assert.ThrowsAsync<ModbusConnectionException>(() => bus.ConnectAsync());
            Assert.Equal(baseline + 4, ModbusNativeDiagnostics.LiveHandles);
            await client.DisposeAsync();
            bus.Dispose();
            await server.DisposeAsync();
            store.Dispose();
        }

        Assert.Equal(baseline, ModbusNativeDiagnostics.LiveHandles);
        Assert.Equal(0, ModbusNativeDiagnostics.LiveHandles);
        var fdsAfter = await ProcessDescriptors.SettledCountAsync(fds + ProcessDescriptors.Slack);
        Assert.True(fdsAfter <= fds + ProcessDescriptors.Slack, $"descriptors before {fds}, after {fdsAfter}");
    }

    private static void Cycle(int port, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var context = ModbusContext.CreateTcpClient("127.0.0.1", port);

            // Generous: on a loaded machine the server thread may fall behind and the kernel drop a SYN (1 s retry).
            context.SetTimeouts(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));
            context.Connect();
            context.Close();
        }
    }

    /// <summary>The server closes its side when it reads each client's close; wait until it has caught up.</summary>
    private static async Task WaitForServerToDropClientsAsync(ModbusTcpServer server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (server.ClientCount > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(0, server.ClientCount);
    }
}
