using Edge.Modbus.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Modbus;

/// <summary>
/// A Modbus RTU master for one serial port shared by many units (RS-485 multi-drop): one libmodbus context, one
/// transaction on the wire at a time, the unit id set per request.
/// </summary>
/// <remarks>
/// <para>Scheduling: FIFO per unit id, round-robin across unit ids. After a unit times out, the next turn goes to a
/// unit that did not, if one is waiting, so a dead unit costs each live unit at most one response timeout of delay
/// and the bus never stalls behind it.</para>
/// <para>Late replies: the input is flushed after a timeout or garbled reply and again before every request, so a
/// slow unit's late answer is discarded instead of being read as the reply to the next request.</para>
/// <para>A broken port (EIO when a USB adapter is unplugged…) is closed; the next request reopens it.</para>
/// <para>Broadcast (unit 0) is not supported: libmodbus 3.1 waits for a reply that never comes.</para>
/// </remarks>
public sealed class ModbusRtuBus : ModbusClient
{
    /// <summary>Highest unicast unit id on a serial line (Modbus over serial line spec §2.2).</summary>
    public const byte MaxUnitId = 247;

    /// <summary>Creates the bus; the port opens on the first request or <see cref="ModbusClient.ConnectAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public ModbusRtuBus(ModbusRtuBusOptions options, ILogger<ModbusRtuBus>? logger = null)
        : base(CreateContext(options), ModbusTransport.Rtu, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private static ModbusContext CreateContext(ModbusRtuBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ModbusContext.CreateRtu(options.SerialPort, options.BaudRate, options.Parity, options.DataBits, options.StopBits).WithTimeouts(options.ResponseTimeout, options.ByteTimeout);
    }

    /// <inheritdoc />
    private protected override void ValidateUnitId(byte unitId)
    {
        if (unitId is 0 or > MaxUnitId)
        {
            throw new ArgumentOutOfRangeException(nameof(unitId), unitId, $"RTU unit ids are 1–{MaxUnitId} (broadcast 0 is not supported).");
        }
    }
}
