namespace Edge.Modbus;

/// <summary>
/// A Modbus master: reads and writes the four tables of units (slaves) reachable over one link.
/// </summary>
/// <remarks>
/// <para>Concurrency: every member may be called from any thread at any time. Requests are queued and run one at a
/// time on the link (a libmodbus context is not thread-safe and a serial line carries one transaction at a time):
/// FIFO for one unit id, round-robin across unit ids.</para>
/// <para>Cancellation: a token cancels a request that is still queued. A request that has started runs to its end —
/// libmodbus cannot be interrupted — which the response timeout bounds; its task then completes normally.</para>
/// <para>Buffers: a <see cref="Memory{T}"/> destination or source must stay untouched until the task completes.</para>
/// <para>Errors: arguments beyond the protocol limits throw <see cref="ArgumentOutOfRangeException"/> before any I/O.
/// Failed transactions fault the task with <see cref="ModbusException"/> (exception response),
/// <see cref="ModbusTimeoutException"/>, <see cref="ModbusConnectionException"/> (the link was closed and the next
/// request reopens it) or <see cref="ModbusIOException"/> (garbled reply).</para>
/// </remarks>
public interface IModbusClient : IAsyncDisposable, IDisposable
{
    /// <summary>Whether the link is currently open (it opens on the first request and after a failure on the next one).</summary>
    bool IsConnected { get; }

    /// <summary>Opens the link now instead of on the first request; completes at once if it is open.</summary>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Function 1: reads <paramref name="count"/> (1–2000) coils.</summary>
    Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 1: reads as many coils as <paramref name="destination"/> holds (1–2000) into it.</summary>
    Task ReadCoilsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>Function 2: reads <paramref name="count"/> (1–2000) discrete inputs.</summary>
    Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 2: reads as many discrete inputs as <paramref name="destination"/> holds (1–2000) into it.</summary>
    Task ReadDiscreteInputsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default);

    /// <summary>Function 3: reads <paramref name="count"/> (1–125) holding registers.</summary>
    Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 3: reads as many holding registers as <paramref name="destination"/> holds (1–125) into it.</summary>
    Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>Function 4: reads <paramref name="count"/> (1–125) input registers.</summary>
    Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default);

    /// <summary>Function 4: reads as many input registers as <paramref name="destination"/> holds (1–125) into it.</summary>
    Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default);

    /// <summary>Function 5: sets one coil on or off.</summary>
    Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default);

    /// <summary>Function 6: writes one holding register.</summary>
    Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default);

    /// <summary>Function 15: writes 1–1968 consecutive coils.</summary>
    Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default);

    /// <summary>Function 16: writes 1–123 consecutive holding registers.</summary>
    Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default);

    /// <summary>
    /// Function 23: writes 1–121 holding registers at <paramref name="writeAddress"/>, then reads
    /// <paramref name="readCount"/> (1–125) from <paramref name="readAddress"/>, in one transaction.
    /// </summary>
    Task<ushort[]> WriteReadMultipleRegistersAsync(byte unitId, ushort writeAddress, ReadOnlyMemory<ushort> values, ushort readAddress, ushort readCount, CancellationToken cancellationToken = default);

    /// <summary>Function 23 into a caller's buffer: the read count is <paramref name="destination"/>'s length (1–125).</summary>
    Task WriteReadMultipleRegistersAsync(byte unitId, ushort writeAddress, ReadOnlyMemory<ushort> values, ushort readAddress, Memory<ushort> destination, CancellationToken cancellationToken = default);
}
