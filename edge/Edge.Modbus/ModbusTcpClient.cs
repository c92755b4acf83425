using Edge.Modbus.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Modbus;

/// <summary>
/// A Modbus TCP master over one connection (a PLC, or a gateway fronting serial units). The connection opens on the
/// first request. A broken connection (reset, broken pipe…), a timeout or a garbled reply closes it; the failing
/// request reports the error and the next request reconnects. Exception responses leave it open.
/// </summary>
public sealed class ModbusTcpClient : ModbusClient
{
    /// <summary>Creates the client; no I/O happens until the first request or <see cref="ModbusClient.ConnectAsync"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid (the message names it).</exception>
    public ModbusTcpClient(ModbusTcpClientOptions options, ILogger<ModbusTcpClient>? logger = null)
        : base(CreateContext(options), ModbusTransport.Tcp, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private static ModbusContext CreateContext(ModbusTcpClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ModbusContext.CreateTcpClient(options.Host, options.Port).WithTimeouts(options.ResponseTimeout, options.ByteTimeout);
    }

    /// <inheritdoc />
    private protected override void ValidateUnitId(byte unitId)
    {
        // 0xFF (or 0) addresses the device itself, 1–247 units behind a gateway; libmodbus refuses 248–254.
        if (unitId is > ModbusRtuBus.MaxUnitId and < 0xFF)
        {
            throw new ArgumentOutOfRangeException(nameof(unitId), unitId, $"Modbus TCP unit ids are 0–{ModbusRtuBus.MaxUnitId} or 255.");
        }
    }
}
