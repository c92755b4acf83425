using Edge.Modbus.Internal;
using Microsoft.Extensions.Logging;

namespace Edge.Modbus;

/// <summary>
/// The master side shared by <see cref="ModbusTcpClient"/> and <see cref="ModbusRtuBus"/>: argument checks against
/// the protocol limits, then a queued transaction on the link's own thread. See <see cref="IModbusClient"/> for the
/// concurrency, cancellation and error contract.
/// </summary>
public abstract class ModbusClient : IModbusClient
{
    /// <summary>Most coils or discrete inputs one read may ask for (Modbus spec §6.1/§6.2).</summary>
    public const int MaxReadBits = 2000;

    /// <summary>Most registers one read may ask for (§6.3/§6.4).</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>Most coils one function-15 write may carry (§6.11).</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>Most registers one function-16 write may carry (§6.12).</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>Most registers function 23 may write in one transaction (§6.17).</summary>
    public const int MaxWriteReadWriteRegisters = 121;

    private readonly ModbusMasterEngine _engine;

    private protected ModbusClient(ModbusContext context, ModbusTransport transport, ILogger logger)
    {
        _engine = new ModbusMasterEngine(context, transport, logger);
    }

    /// <summary>"tcp host:port" or "rtu /dev/…": what this client talks to.</summary>
    public string Description => _engine.Description;

    /// <inheritdoc />
    public bool IsConnected => _engine.IsConnected;

    /// <summary>Checks a unit id for this kind of link before any I/O.</summary>
    private protected abstract void ValidateUnitId(byte unitId);

    /// <inheritdoc />
    public Task ConnectAsync(CancellationToken cancellationToken = default) =>
        _engine.Enqueue<object?, object?>(0, null, static (_, _, _) => null, cancellationToken);

    /// <inheritdoc />
    public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, count, MaxReadBits, nameof(count));
        return _engine.Enqueue(unitId, (address, count), static (ctx, unit, s) =>
        {
            var result = new bool[s.count];
            ctx.ReadCoils(unit, s.address, result);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReadCoilsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, destination.Length, MaxReadBits, nameof(destination));
        return _engine.Enqueue(unitId, (address, destination), static (ctx, unit, s) =>
        {
            ctx.ReadCoils(unit, s.address, s.destination.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, count, MaxReadBits, nameof(count));
        return _engine.Enqueue(unitId, (address, count), static (ctx, unit, s) =>
        {
            var result = new bool[s.count];
            ctx.ReadDiscreteInputs(unit, s.address, result);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReadDiscreteInputsAsync(byte unitId, ushort address, Memory<bool> destination, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, destination.Length, MaxReadBits, nameof(destination));
        return _engine.Enqueue(unitId, (address, destination), static (ctx, unit, s) =>
        {
            ctx.ReadDiscreteInputs(unit, s.address, s.destination.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, count, MaxReadRegisters, nameof(count));
        return _engine.Enqueue(unitId, (address, count), static (ctx, unit, s) =>
        {
            var result = new ushort[s.count];
            ctx.ReadHoldingRegisters(unit, s.address, result);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, destination.Length, MaxReadRegisters, nameof(destination));
        return _engine.Enqueue(unitId, (address, destination), static (ctx, unit, s) =>
        {
            ctx.ReadHoldingRegisters(unit, s.address, s.destination.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, count, MaxReadRegisters, nameof(count));
        return _engine.Enqueue(unitId, (address, count), static (ctx, unit, s) =>
        {
            var result = new ushort[s.count];
            ctx.ReadInputRegisters(unit, s.address, result);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, destination.Length, MaxReadRegisters, nameof(destination));
        return _engine.Enqueue(unitId, (address, destination), static (ctx, unit, s) =>
        {
            ctx.ReadInputRegisters(unit, s.address, s.destination.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        ValidateUnitId(unitId);
        return _engine.Enqueue(unitId, (address, value), static (ctx, unit, s) =>
        {
            ctx.WriteSingleCoil(unit, s.address, s.value);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        ValidateUnitId(unitId);
        return _engine.Enqueue(unitId, (address, value), static (ctx, unit, s) =>
        {
            ctx.WriteSingleRegister(unit, s.address, s.value);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, values.Length, MaxWriteBits, nameof(values));
        return _engine.Enqueue(unitId, (address, values), static (ctx, unit, s) =>
        {
            ctx.WriteMultipleCoils(unit, s.address, s.values.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, address, values.Length, MaxWriteRegisters, nameof(values));
        return _engine.Enqueue(unitId, (address, values), static (ctx, unit, s) =>
        {
            ctx.WriteMultipleRegisters(unit, s.address, s.values.Span);
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ushort[]> WriteReadMultipleRegistersAsync(byte unitId, ushort writeAddress, ReadOnlyMemory<ushort> values, ushort readAddress, ushort readCount, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, writeAddress, values.Length, MaxWriteReadWriteRegisters, nameof(values));
        CheckRange(unitId, readAddress, readCount, MaxReadRegisters, nameof(readCount));
        return _engine.Enqueue(unitId, (writeAddress, values, readAddress, readCount), static (ctx, unit, s) =>
        {
            var result = new ushort[s.readCount];
            ctx.WriteReadMultipleRegisters(unit, s.writeAddress, s.values.Span, s.readAddress, result);
            return result;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteReadMultipleRegistersAsync(byte unitId, ushort writeAddress, ReadOnlyMemory<ushort> values, ushort readAddress, Memory<ushort> destination, CancellationToken cancellationToken = default)
    {
        CheckRange(unitId, writeAddress, values.Length, MaxWriteReadWriteRegisters, nameof(values));
        CheckRange(unitId, readAddress, destination.Length, MaxReadRegisters, nameof(destination));
        return _engine.Enqueue(unitId, (writeAddress, values, readAddress, destination), static (ctx, unit, s) =>
        {
            ctx.WriteReadMultipleRegisters(unit, s.writeAddress, s.values.Span, s.readAddress, s.destination.Span);
            return true;
        }, cancellationToken);
    }

    private void CheckRange(byte unitId, ushort address, int count, int max, string paramName)
    {
        ValidateUnitId(unitId);
        if (count < 1 || count > max)
        {
            throw new ArgumentOutOfRangeException(paramName, count, $"Modbus allows 1–{max} items in one request.");
        }

        if (address + count > 65536)
        {
            throw new ArgumentOutOfRangeException(paramName, count, $"Address {address} + {count} items runs past the last address 65535.");
        }
    }

    /// <summary>
    /// Stops the link: queued requests fail with <see cref="ObjectDisposedException"/>, a running one finishes (bounded
    /// by the response timeout), the connection closes and the native context is freed.
    /// </summary>
    public void Dispose()
    {
        _engine.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
