using Edge.Contracts.RegisterMaps;

namespace Edge.Devices.Plc;

/// <summary>
/// Reads one block of a Modbus table: the seam between the polling logic here and the Modbus binding
/// (<see cref="ModbusRegisterReader"/> adapts Edge.Modbus's client; tests use fakes).
/// </summary>
/// <remarks>
/// Concurrency contract: may be called from several pollers at once (the binding queues requests per link).
/// Failures throw <see cref="IOException"/> (timeouts, exception responses, broken links); the caller counts them and
/// backs off. The reader reconnects by itself on the next call.
/// </remarks>
public interface IRegisterReader
{
    /// <summary>Reads <c>destination.Length</c> consecutive registers or bits.</summary>
    /// <param name="slaveId">The unit (slave) id.</param>
    /// <param name="table">The table; for <see cref="RegisterTable.Coil"/> and <see cref="RegisterTable.Discrete"/> each element is 0 or 1.</param>
    /// <param name="address">The 0-based protocol address of the first element.</param>
    /// <param name="destination">Where to put the values; 1–125 registers or 1–2000 bits.</param>
    /// <param name="cancellationToken">Stops a queued request.</param>
    /// <returns>A task that completes when <paramref name="destination"/> is filled.</returns>
    ValueTask ReadAsync(byte slaveId, RegisterTable table, ushort address, Memory<ushort> destination, CancellationToken cancellationToken);
}
