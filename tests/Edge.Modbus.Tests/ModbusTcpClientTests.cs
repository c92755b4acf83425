using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Edge.Modbus.Tests.Support;
using Edge.TestSupport;
using Xunit;

namespace Edge.Modbus.Tests;

/// <summary>One pymodbus TCP server (units 1 and 2) shared by the function-code tests of a class run.</summary>
public sealed class PyModbusTcpFixture : IAsyncLifetime
{
    public PyModbusPeer Peer { get; private set; } = null!;

    public int Port { get; private set; }

    public async Task InitializeAsync()
    {
        Port = Ports.GetFreeTcpPort();
        Peer = await PyModbusPeer.StartTcpAsync(Port, "1,2");
    }

    public Task DisposeAsync()
    {
        Peer?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Every function code against pymodbus. Reads use addresses below 150, writes 150–199, so order does not matter.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusTcpClientTests : IClassFixture<PyModbusTcpFixture>
{
    private readonly PyModbusTcpFixture _fixture;

    public ModbusTcpClientTests(PyModbusTcpFixture fixture)
    {
        _fixture = fixture;
    }

    private ModbusTcpClient NewClient(TimeSpan? responseTimeout = null) => new(new ModbusTcpClientOptions
    {
        Host = "127.0.0.1",
        Port = _fixture.Port,
        ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(2),
    });

    [Fact]
    public async Task Read_coils_fc1_returns_the_bits_the_server_holds()
    {
        await _fixture.Peer.SetAsync(1, "co", 110, 1, 0, 1, 1, 0);
        await using var client = NewClient();
        var bits = await client.ReadCoilsAsync(1, 110, 5);
        Assert.Equal([true, false, true, true, false], bits);
    }

    [Fact]
    public async Task Read_discrete_inputs_fc2_returns_the_bits_the_server_holds()
    {
        await using var client = NewClient();
        var bits = await client.ReadDiscreteInputsAsync(1, 0, 7);
        Assert.Equal([true, false, false, true, false, false, true], bits);
    }

    [Fact]
    public async Task Read_holding_registers_fc3_returns_each_units_own_values()
    {
        await using var client = NewClient();
        Assert.Equal([1100, 1101, 1102], await client.ReadHoldingRegistersAsync(1, 100, 3));
        Assert.Equal([2100, 2101, 2102], await client.ReadHoldingRegistersAsync(2, 100, 3));
    }

    [Fact]
    public async Task Read_input_registers_fc4_fills_a_caller_buffer()
    {
        await using var client = NewClient();
        var buffer = new ushort[4];
        await client.ReadInputRegistersAsync(2, 5, buffer.AsMemory());
        Assert.Equal([4005, 4006, 4007, 4008], buffer);
    }

    [Fact]
    public async Task Read_of_125_registers_at_the_protocol_limit_succeeds()
    {
        await using var client = NewClient();
        var regs = await client.ReadHoldingRegistersAsync(1, 0, 125);
        Assert.Equal(Enumerable.Range(1000, 125).Select(i => (ushort)i), regs);
        var bits = await client.ReadDiscreteInputsAsync(1, 0, 200);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i % 3 == 0), bits);
    }

    [Fact]
    public async Task Write_single_coil_fc5_reaches_the_server()
    {
        await using var client = NewClient();
        await client.WriteSingleCoilAsync(1, 150, true);
        await client.WriteSingleCoilAsync(1, 151, false);
        Assert.Equal(new[] { 1, 0 }, await _fixture.Peer.GetAsync(1, "co", 150, 2));
    }

    [Fact]
    public async Task Write_single_register_fc6_reaches_the_server()
    {
        await using var client = NewClient();
        await client.WriteSingleRegisterAsync(2, 150, 0xBEEF);
        Assert.Equal(new[] { 0xBEEF }, await _fixture.Peer.GetAsync(2, "hr", 150, 1));
    }

    [Fact]
    public async Task Write_multiple_coils_fc15_reaches_the_server()
    {
        await using var client = NewClient();
        bool[] values = [true, true, false, true, false, false, true, true, true];
        await client.WriteMultipleCoilsAsync(1, 160, values);
        Assert.Equal(values.Select(v => v ? 1 : 0), await _fixture.Peer.GetAsync(1, "co", 160, values.Length));
    }

    [Fact]
    public async Task Write_multiple_registers_fc16_reaches_the_server()
    {
        await using var client = NewClient();
        ushort[] values = [1, 65535, 42, 0, 7];
        await client.WriteMultipleRegistersAsync(1, 160, values);
        Assert.Equal(values.Select(v => (int)v), await _fixture.Peer.GetAsync(1, "hr", 160, values.Length));
    }

    [Fact]
    public async Task Write_read_multiple_registers_fc23_writes_then_reads_in_one_transaction()
    {
        await using var client = NewClient();
        var read = await client.WriteReadMultipleRegistersAsync(1, 180, new ushort[] { 11, 12, 13 }, 179, 5);
        Assert.Equal([1179, 11, 12, 13, 1183], read);
        Assert.Equal(new[] { 11, 12, 13 }, await _fixture.Peer.GetAsync(1, "hr", 180, 3));
    }

    [Fact]
    public async Task Illegal_address_raises_ModbusException_with_IllegalDataAddress_and_keeps_the_connection()
    {
        await using var client = NewClient();
        var ex = await Assert.ThrowsAsync<ModbusException>(() => client.ReadHoldingRegistersAsync(1, 190, 20));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.ExceptionCode);
        Assert.Equal(112345678 + 2, ex.NativeErrorCode);
        Assert.Equal((byte)1, ex.UnitId);
        Assert.False(string.IsNullOrEmpty(ex.NativeMessage));
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.True(client.IsConnected);
        Assert.Equal([1000], await client.ReadHoldingRegistersAsync(1, 0, 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_requests_from_many_tasks_all_get_their_own_answers(bool fromThreadPool)
    {
        // From pool threads, an idle healthy link runs requests on the caller's thread; the rest queue.
        await using var client = NewClient();
        var tasks = Enumerable.Range(0, 200).Select(i =>
        {
            async Task One()
            {
                var unit = (byte)(1 + (i % 2));
                var address = (ushort)(i % 100);
                var regs = await client.ReadHoldingRegistersAsync(unit, address, 2);
                Assert.Equal([(ushort)((unit * 1000) + address), (ushort)((unit * 1000) + address + 1)], regs);
                var buffer = new ushort[3];
                await client.ReadInputRegistersAsync(unit, address, buffer);
                Assert.Equal((ushort)((unit * 2000) + address + 2), buffer[2]);
            }

            return fromThreadPool ? Task.Run(One) : One();
        });
        await Task.WhenAll(tasks);
    }
}

/// <summary>Failure paths that need their own peer (or none).</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusTcpClientFailureTests
{
    [Fact]
    public async Task Connection_refused_raises_ModbusConnectionException_with_ECONNREFUSED()
    {
        var port = Ports.GetFreeTcpPort();
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port });
        var ex = await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        Assert.Equal(111, ex.NativeErrorCode);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Silent_peer_raises_ModbusTimeoutException_after_the_response_timeout_and_drops_the_connection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ResponseTimeout = TimeSpan.FromMilliseconds(300),
        });
        await client.ConnectAsync();
        using var accepted = await listener.AcceptTcpClientAsync();
        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
        sw.Stop();
        Assert.Equal(110, ex.NativeErrorCode);
        Assert.InRange(sw.ElapsedMilliseconds, 250, 2000);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Request_after_the_peer_was_killed_and_restarted_on_the_same_port_succeeds()
    {
        var port = Ports.GetFreeTcpPort();
        var peer = await PyModbusPeer.StartTcpAsync(port);
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(2) });
        try
        {
            Assert.Equal([1000, 1001], await client.ReadHoldingRegistersAsync(1, 0, 2));
            Assert.True(client.IsConnected);

            peer.Process.KillHard();
            peer.Dispose();

            // The broken connection surfaces on the request that meets it, and the link is closed.
            var broken = await Assert.ThrowsAnyAsync<ModbusIOException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));
            Assert.IsType<ModbusConnectionException>(broken);
            Assert.False(client.IsConnected);

            // While nobody listens, each request tries to reconnect and reports the refusal.
            await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 0, 2));

            peer = await PyModbusPeer.StartTcpAsync(port);
            Assert.Equal([1000, 1001], await client.ReadHoldingRegistersAsync(1, 0, 2));
            Assert.True(client.IsConnected);
        }
        finally
        {
            peer.Dispose();
        }
    }

    [Fact]
    public async Task Cancelling_a_queued_request_completes_it_at_once_while_the_running_one_finishes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The running request's timeout must outlast any stall of a loaded machine before the cancel, or the queued
        // request would already be the running one (which is not cancelled mid-flight) when the cancel comes.
        await using var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromSeconds(3) });
        await client.ConnectAsync();
        using var accepted = await listener.AcceptTcpClientAsync();
        var running = client.ReadHoldingRegistersAsync(1, 0, 1);
        using var cts = new CancellationTokenSource();
        var queued = client.ReadHoldingRegistersAsync(1, 0, 1, cts.Token);
        await Task.Delay(50);
        var sw = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.True(sw.ElapsedMilliseconds < 200, $"cancellation took {sw.ElapsedMilliseconds} ms");
        Assert.False(running.IsCompleted);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => running);
    }

    [Fact]
    public async Task Dispose_fails_queued_requests_with_ObjectDisposedException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var client = new ModbusTcpClient(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = port, ResponseTimeout = TimeSpan.FromMilliseconds(500) });
        await client.ConnectAsync();
        using var accepted = await listener.AcceptTcpClientAsync();
        var running = client.ReadHoldingRegistersAsync(1, 0, 1);
        var queued = client.ReadHoldingRegistersAsync(1, 0, 1);
        await Task.Delay(50);
        await client.DisposeAsync();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => running);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ReadHoldingRegistersAsync(1, 0, 1));
    }
}
