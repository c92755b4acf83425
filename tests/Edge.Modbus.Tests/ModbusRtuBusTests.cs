using System.Diagnostics;
using Edge.Modbus.Tests.Support;
using Edge.TestSupport;
using Xunit;

namespace Edge.Modbus.Tests;

/// <summary>A socat pty pair with a pymodbus RTU server serving units 1, 2 and 3 on one end.</summary>
public sealed class PyModbusRtuFixture : IAsyncLifetime
{
    public PtyPair Pty { get; private set; } = null!;

    public PyModbusPeer Peer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pty = await PtyPair.StartAsync();
        Peer = await PyModbusPeer.StartRtuAsync(Pty.B, "1,2,3");
    }

    public Task DisposeAsync()
    {
        Peer?.Dispose();
        Pty?.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Every function code over RTU against pymodbus, and the bus behaviour with a dead unit. Reads use addresses
/// below 150, writes 150–199.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusRtuBusTests : IClassFixture<PyModbusRtuFixture>
{
    private static readonly TimeSpan s_responseTimeout = TimeSpan.FromMilliseconds(300);
    private readonly PyModbusRtuFixture _fixture;

    public ModbusRtuBusTests(PyModbusRtuFixture fixture)
    {
        _fixture = fixture;
    }

    private ModbusRtuBus NewBus() => new(new ModbusRtuBusOptions
    {
        SerialPort = _fixture.Pty.A,
        BaudRate = 19200,
        Parity = ModbusParity.None,
        ResponseTimeout = s_responseTimeout,
    });

    [Fact]
    public async Task Every_read_function_code_returns_the_addressed_units_values()
    {
        await _fixture.Peer.SetAsync(2, "co", 100, 1, 1, 0, 1);
        await using var bus = NewBus();
        Assert.Equal(new[] { true, true, false, true }, await bus.ReadCoilsAsync(2, 100, 4));
        Assert.Equal(new[] { false, false, false, false }, await bus.ReadCoilsAsync(3, 100, 4));
        Assert.Equal(new[] { true, false, false, true }, await bus.ReadDiscreteInputsAsync(1, 0, 4));
        Assert.Equal([1010, 1011], await bus.ReadHoldingRegistersAsync(1, 10, 2));
        Assert.Equal([3010, 3011], await bus.ReadHoldingRegistersAsync(3, 10, 2));
        Assert.Equal([4020, 4021, 4022], await bus.ReadInputRegistersAsync(2, 20, 3));
        var full = await bus.ReadHoldingRegistersAsync(2, 0, 125);
        Assert.Equal(Enumerable.Range(2000, 125).Select(i => (ushort)i), full);
    }

    [Fact]
    public async Task Every_write_function_code_reaches_the_addressed_unit()
    {
        await using var bus = NewBus();
        await bus.WriteSingleCoilAsync(1, 150, true);
        await bus.WriteSingleRegisterAsync(2, 150, 4242);
        await bus.WriteMultipleCoilsAsync(3, 160, new[] { true, false, true, true });
        await bus.WriteMultipleRegistersAsync(1, 160, new ushort[] { 5, 6, 7 });
        var read = await bus.WriteReadMultipleRegistersAsync(2, 170, new ushort[] { 9, 8 }, 169, 4);

        Assert.Equal(new[] { 1 }, await _fixture.Peer.GetAsync(1, "co", 150, 1));
        Assert.Equal(new[] { 0 }, await _fixture.Peer.GetAsync(2, "co", 150, 1));
        Assert.Equal(new[] { 4242 }, await _fixture.Peer.GetAsync(2, "hr", 150, 1));
        Assert.Equal(new[] { 1, 0, 1, 1 }, await _fixture.Peer.GetAsync(3, "co", 160, 4));
        Assert.Equal(new[] { 5, 6, 7 }, await _fixture.Peer.GetAsync(1, "hr", 160, 3));
        Assert.Equal([2169, 9, 8, 2172], read);
    }

    [Fact]
    public async Task Illegal_address_over_rtu_raises_ModbusException_with_IllegalDataAddress()
    {
        await using var bus = NewBus();
        var ex = await Assert.ThrowsAsync<ModbusException>(() => bus.ReadInputRegistersAsync(2, 199, 2));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.ExceptionCode);
        Assert.Equal([2000], await bus.ReadHoldingRegistersAsync(2, 0, 1));
    }

    [Fact]
    public async Task Dead_unit_times_out_and_the_next_request_to_a_live_unit_succeeds_promptly()
    {
        await using var bus = NewBus();
        await bus.ConnectAsync();

        var sw = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ModbusTimeoutException>(() => bus.ReadHoldingRegistersAsync(9, 0, 1));
        var deadTime = sw.Elapsed;
        Assert.Equal((byte)9, ex.UnitId);
        Assert.InRange(deadTime.TotalMilliseconds, s_responseTimeout.TotalMilliseconds * 0.8, s_responseTimeout.TotalMilliseconds + 1000);
        Assert.True(bus.IsConnected);

        sw.Restart();
        Assert.Equal([1000, 1001], await bus.ReadHoldingRegistersAsync(1, 0, 2));
        Assert.True(sw.Elapsed < s_responseTimeout + TimeSpan.FromMilliseconds(250), $"live unit took {sw.ElapsedMilliseconds} ms after the dead one");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Live_unit_queued_behind_many_dead_unit_requests_waits_at_most_one_response_timeout(bool fromThreadPool)
    {
        await using var bus = NewBus();
        await bus.ConnectAsync();

        // From a pool thread the first dead request runs on that thread (the link is idle and the unit not yet
        // known to be dead); the others queue behind it.
        var sw = Stopwatch.StartNew();
        Task<ushort[]> Dead() => fromThreadPool ? Task.Run(() => bus.ReadHoldingRegistersAsync(9, 0, 1)) : bus.ReadHoldingRegistersAsync(9, 0, 1);
        var dead = Enumerable.Range(0, 4).Select(_ => Dead()).ToArray();
        await Task.Delay(20);
        // Timed from the moment the live request is made: on a loaded machine Task.Run itself may start late, and
        // that delay is the thread pool's, not the bus's.
        var issued = TimeSpan.Zero;
        Task<ushort[]> Live()
        {
            issued = sw.Elapsed;
            return bus.ReadHoldingRegistersAsync(1, 0, 1);
        }

        var live = fromThreadPool ? Task.Run(Live) : Live();
        var values = await live;
        var liveTime = sw.Elapsed - issued;

        Assert.Equal([1000], values);
        Assert.True(liveTime < s_responseTimeout + TimeSpan.FromMilliseconds(270), $"live unit waited {liveTime.TotalMilliseconds} ms behind the dead one (asked at {issued.TotalMilliseconds} ms)");
        foreach (var d in dead)
        {
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => d);
        }

        // Dead requests still get served: one per turn, never starved.
        Assert.True(sw.Elapsed >= 4 * s_responseTimeout * 0.8);
    }

    [Fact]
    public async Task Requests_to_several_units_are_served_round_robin_and_all_complete()
    {
        await using var bus = NewBus();
        var tasks = Enumerable.Range(0, 60).Select(async i =>
        {
            var unit = (byte)(1 + (i % 3));
            var regs = await bus.ReadHoldingRegistersAsync(unit, (ushort)i, 1);
            Assert.Equal((ushort)((unit * 1000) + i), regs[0]);
        });
        await Task.WhenAll(tasks);
    }
}

/// <summary>RTU cases needing their own pty and peer.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ModbusRtuBusLateReplyTests
{
    [Fact]
    public async Task Late_reply_from_a_slow_unit_is_discarded_not_taken_for_the_next_reply()
    {
        using var pty = await PtyPair.StartAsync();
        using var peer = await PyModbusPeer.StartRtuAsync(pty.B, "1,2", "--slow-unit 2 --slow-delay 0.5");
        await using var bus = new ModbusRtuBus(new ModbusRtuBusOptions
        {
            SerialPort = pty.A,
            Parity = ModbusParity.None,
            ResponseTimeout = TimeSpan.FromMilliseconds(200),
        });

        Assert.Equal([1000, 1001, 1002], await bus.ReadHoldingRegistersAsync(1, 0, 3));
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => bus.ReadHoldingRegistersAsync(2, 0, 3));

        // Unit 2's answer arrives ~300 ms after the timeout and sits in the input queue.
        await Task.Delay(700);
        Assert.Equal([1000, 1001, 1002], await bus.ReadHoldingRegistersAsync(1, 0, 3));
        Assert.Equal([2000, 2001], await bus.ReadInputRegistersAsync(1, 0, 2));
    }

    [Fact]
    public async Task Stopped_bus_member_times_out_while_the_port_stays_usable()
    {
        using var pty = await PtyPair.StartAsync();
        var peer = await PyModbusPeer.StartRtuAsync(pty.B, "4");
        await using var bus = new ModbusRtuBus(new ModbusRtuBusOptions
        {
            SerialPort = pty.A,
            Parity = ModbusParity.None,
            ResponseTimeout = TimeSpan.FromMilliseconds(200),
        });
        Assert.Equal([4000], await bus.ReadHoldingRegistersAsync(4, 0, 1));
        peer.Dispose();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => bus.ReadHoldingRegistersAsync(4, 0, 1));
        using var again = await PyModbusPeer.StartRtuAsync(pty.B, "4");
        Assert.Equal([4001], await bus.ReadHoldingRegistersAsync(4, 1, 1));
    }
}
