using System.Buffers;
using Edge.Contracts.RegisterMaps;
using Edge.Modbus;

namespace Edge.Devices.Plc;

/// <summary>
/// Adapts an Edge.Modbus client (<see cref="ModbusTcpClient"/> or a <see cref="ModbusRtuBus"/> shared by many units)
/// to <see cref="IRegisterReader"/>. The client queues requests, reconnects on the next request after a broken link,
/// and throws <see cref="ModbusIOException"/> subclasses (all <see cref="IOException"/>) on failure.
/// </summary>
public sealed class ModbusRegisterReader : IRegisterReader
{
    private readonly IModbusClient _client;

    /// <summary>Wraps a client; the caller keeps ownership and disposes it.</summary>
    /// <param name="client">The Modbus client.</param>
    public ModbusRegisterReader(IModbusClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc/>
    public async ValueTask ReadAsync(byte slaveId, RegisterTable table, ushort address, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        switch (table)
        {
            case RegisterTable.Holding:
                await _client.ReadHoldingRegistersAsync(slaveId, address, destination, cancellationToken).ConfigureAwait(false);
                return;
            case RegisterTable.Input:
                await _client.ReadInputRegistersAsync(slaveId, address, destination, cancellationToken).ConfigureAwait(false);
                return;
            case RegisterTable.Coil:
            case RegisterTable.Discrete:
                var bits = ArrayPool<bool>.Shared.Rent(destination.Length);
                try
                {
                    var memory = bits.AsMemory(0, destination.Length);
                    if (table == RegisterTable.Coil)
                    {
                        await _client.ReadCoilsAsync(slaveId, address, memory, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await _client.ReadDiscreteInputsAsync(slaveId, address, memory, cancellationToken).ConfigureAwait(false);
                    }

                    var span = destination.Span;
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] = bits[i] ? (ushort)1 : (ushort)0;
                    }
                }
                finally
                {
                    ArrayPool<bool>.Shared.Return(bits);
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown Modbus table.");
        }
    }
}
