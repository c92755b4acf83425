using Edge.Modbus.Internal;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Edge.Modbus.Tests;

/// <summary>Checks that need no peer: limits, options, error translation, the data store.</summary>
public sealed class ModbusArgumentTests
{
    // Nothing listens on port 1 of loopback; any request that reached I/O would fail with a connection error instead.
    private static ModbusTcpClient Offline() => new(new ModbusTcpClientOptions { Host = "127.0.0.1", Port = 1 });

    public static TheoryData<string> Oversized => new()
    {
        "fc1 2001", "fc2 2001", "fc3 126", "fc4 126", "fc15 1969", "fc16 124", "fc23 write 122", "fc23 read 126",
        "fc3 0", "fc1 past 65535", "fc16 past 65535",
    };

    [Theory]
    [MemberData(nameof(Oversized))]
    public void Requests_beyond_the_protocol_limits_throw_before_any_io(string request)
    {
        using var client = Offline();
        Func<Task> call = request switch
        {
            "fc1 2001" => () => client.ReadCoilsAsync(1, 0, 2001),
            "fc2 2001" => () => client.ReadDiscreteInputsAsync(1, 0, new bool[2001]),
            "fc3 126" => () => client.ReadHoldingRegistersAsync(1, 0, 126),
            "fc4 126" => () => client.ReadInputRegistersAsync(1, 0, new ushort[126]),
            "fc15 1969" => () => client.WriteMultipleCoilsAsync(1, 0, new bool[1969]),
            "fc16 124" => () => client.WriteMultipleRegistersAsync(1, 0, new ushort[124]),
            "fc23 write 122" => () => client.WriteReadMultipleRegistersAsync(1, 0, new ushort[122], 0, 1),
            "fc23 read 126" => () => client.WriteReadMultipleRegistersAsync(1, 0, new ushort[1], 0, 126),
            "fc3 0" => () => client.ReadHoldingRegistersAsync(1, 0, 0),
            "fc1 past 65535" => () => client.ReadCoilsAsync(1, 65535, 2),
            _ => () => client.WriteMultipleRegistersAsync(1, 65500, new ushort[37]),
        };

        // Thrown by the call itself, not by the returned task: nothing was queued.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = call(); });
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Requests_at_the_protocol_limits_are_accepted_and_reach_the_link()
    {
        await using var client = Offline();
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadCoilsAsync(1, 0, 2000));
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.ReadHoldingRegistersAsync(1, 65535 - 124, 125));
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.WriteMultipleCoilsAsync(1, 0, new bool[1968]));
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.WriteMultipleRegistersAsync(1, 0, new ushort[123]));
        await Assert.ThrowsAsync<ModbusConnectionException>(() => client.WriteReadMultipleRegistersAsync(1, 0, new ushort[121], 0, 125));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(248)]
    [InlineData(255)]
    public void Rtu_bus_rejects_broadcast_and_reserved_unit_ids(byte unitId)
    {
        using var bus = new ModbusRtuBus(new ModbusRtuBusOptions { SerialPort = "/dev/null-not-a-tty" });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = bus.ReadHoldingRegistersAsync(unitId, 0, 1); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = bus.WriteSingleCoilAsync(unitId, 0, true); });
    }

    [Theory]
    [InlineData(248)]
    [InlineData(254)]
    public void Tcp_client_rejects_the_unit_ids_libmodbus_refuses(byte unitId)
    {
        using var client = Offline();
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = client.ReadInputRegistersAsync(unitId, 0, 1); });
    }

    [Fact]
    public void Options_errors_name_the_setting_and_the_allowed_values()
    {
        var noHost = Assert.Throws<ArgumentException>(() => new ModbusTcpClient(new ModbusTcpClientOptions()));
        Assert.Contains("ModbusTcpClientOptions.Host", noHost.Message, StringComparison.Ordinal);

        var port = Assert.Throws<ArgumentException>(() => new ModbusTcpClientOptions { Host = "plc", Port = 70000 }.Validate());
        Assert.Contains("ModbusTcpClientOptions.Port must be 1–65535 (was 70000)", port.Message, StringComparison.Ordinal);

        var timeout = Assert.Throws<ArgumentException>(() => new ModbusTcpClientOptions { Host = "plc", ResponseTimeout = TimeSpan.Zero }.Validate());
        Assert.Contains("ModbusTcpClientOptions.ResponseTimeout", timeout.Message, StringComparison.Ordinal);

        var baud = Assert.Throws<ArgumentException>(() => new ModbusRtuBusOptions { SerialPort = "/dev/ttyUSB0", BaudRate = 12345 }.Validate());
        Assert.Contains("ModbusRtuBusOptions.BaudRate must be one of", baud.Message, StringComparison.Ordinal);
        Assert.Contains("19200", baud.Message, StringComparison.Ordinal);

        var stop = Assert.Throws<ArgumentException>(() => new ModbusRtuBusOptions { SerialPort = "/dev/ttyUSB0", StopBits = 3 }.Validate());
        Assert.Contains("ModbusRtuBusOptions.StopBits must be 1 or 2", stop.Message, StringComparison.Ordinal);

        var unit = Assert.Throws<ArgumentException>(() => new ModbusRtuServerOptions { SerialPort = "/dev/pts/1", UnitId = 0 }.Validate());
        Assert.Contains("ModbusRtuServerOptions.UnitId must be 1–247", unit.Message, StringComparison.Ordinal);

        var address = Assert.Throws<ArgumentException>(() => new ModbusTcpServerOptions { Address = "plc.local" }.Validate());
        Assert.Contains("ModbusTcpServerOptions.Address must be an IPv4 address", address.Message, StringComparison.Ordinal);

        new ModbusTcpClientOptions { Host = "plc" }.Validate();
        new ModbusRtuBusOptions { SerialPort = "/dev/ttyUSB0", ByteTimeout = TimeSpan.Zero }.Validate();
    }

    [Theory]
    [InlineData(1, ModbusExceptionCode.IllegalFunction)]
    [InlineData(2, ModbusExceptionCode.IllegalDataAddress)]
    [InlineData(3, ModbusExceptionCode.IllegalDataValue)]
    [InlineData(4, ModbusExceptionCode.ServerDeviceFailure)]
    [InlineData(5, ModbusExceptionCode.Acknowledge)]
    [InlineData(6, ModbusExceptionCode.ServerDeviceBusy)]
    [InlineData(10, ModbusExceptionCode.GatewayPathUnavailable)]
    [InlineData(11, ModbusExceptionCode.GatewayTargetFailedToRespond)]
    public void Errno_of_an_exception_response_becomes_a_ModbusException_with_its_code(int code, ModbusExceptionCode expected)
    {
        var ex = Assert.IsType<ModbusException>(ModbusErrors.FromErrno(112345678 + code, "read", 7));
        Assert.Equal(expected, ex.ExceptionCode);
        Assert.Equal(112345678 + code, ex.NativeErrorCode);
        Assert.Equal((byte)7, ex.UnitId);
        Assert.False(string.IsNullOrWhiteSpace(ex.NativeMessage));
    }

    [Theory]
    [InlineData(110, typeof(ModbusTimeoutException))]
    [InlineData(32, typeof(ModbusConnectionException))]
    [InlineData(104, typeof(ModbusConnectionException))]
    [InlineData(9, typeof(ModbusConnectionException))]
    [InlineData(5, typeof(ModbusConnectionException))]
    [InlineData(112345678 + 12, typeof(ModbusIOException))]
    [InlineData(112345678 + 18, typeof(ModbusIOException))]
    public void Other_errno_values_map_to_timeout_connection_or_framing_errors(int errno, Type expected)
    {
        var ex = ModbusErrors.FromErrno(errno, "read", 1);
        Assert.IsType(expected, ex);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal(errno, ex.NativeErrorCode);
        Assert.Contains(ex.NativeMessage, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_store_returns_what_was_written_anywhere_in_a_range_with_a_start_address()
    {
        using var store = new ModbusDataStore(new(100, 300), new(0, 10), new(5000, 200), new(60000, 5536));
        var writeThenRead = Prop.ForAll(
            Arb.From(Gen.Choose(0, 199)),
            Arb.From(Gen.ArrayOf(ArbMap.Default.GeneratorFor<ushort>()).Where(a => a.Length is > 0 and <= 20)),
            (offset, values) =>
            {
                var address = (ushort)(5000 + Math.Min(offset, 200 - values.Length));
                store.WriteHoldingRegisters(address, values);
                var back = new ushort[values.Length];
                store.ReadHoldingRegisters(address, back);
                return back.SequenceEqual(values);
            });
        Check.QuickThrowOnFailure(writeThenRead);

        store.SetInputRegister(65535, 9);
        Assert.Equal(9, store.GetInputRegister(65535));
        store.SetCoil(399, true);
        Assert.True(store.GetCoil(399));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.GetCoil(99));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.SetHoldingRegister(5200, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadDiscreteInputs(5, new bool[6]));
    }

    [Fact]
    public void Data_store_layout_past_the_last_address_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModbusDataStore(new(65000, 600), new(0, 1), new(0, 1), new(0, 1)));
    }
}
