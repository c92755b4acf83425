using System.Buffers.Binary;
using System.Threading.Channels;
using Edge.Modbus.Internal;

namespace Edge.Modbus;

/// <summary>The four Modbus tables.</summary>
public enum ModbusTable
{
    /// <summary>Read/write bits (functions 1, 5, 15).</summary>
    Coils,

    /// <summary>Read-only bits (function 2).</summary>
    DiscreteInputs,

    /// <summary>Read/write 16-bit registers (functions 3, 6, 16, 23).</summary>
    HoldingRegisters,

    /// <summary>Read-only 16-bit registers (function 4).</summary>
    InputRegisters,
}

/// <summary>A served address range of one table: addresses <see cref="Start"/> … <see cref="Start"/> + <see cref="Count"/> − 1.</summary>
/// <param name="Start">First address served.</param>
/// <param name="Count">Number of addresses served (0: none; requests get IllegalDataAddress).</param>
public readonly record struct ModbusAddressRange(ushort Start, int Count)
{
    /// <summary>Whether <paramref name="count"/> items from <paramref name="address"/> lie inside the range.</summary>
    public bool Contains(ushort address, int count) => count >= 0 && address >= Start && address + count <= Start + Count;
}

/// <summary>A write a client made to a <see cref="ModbusDataStore"/> through a server (functions 5, 6, 15, 16, 23).</summary>
/// <param name="UnitId">Unit id the request was addressed to.</param>
/// <param name="Table">Coils or holding registers.</param>
/// <param name="Address">First address written.</param>
/// <param name="Count">Number of items written.</param>
public readonly record struct ModbusWriteNotice(byte UnitId, ModbusTable Table, ushort Address, ushort Count);

/// <summary>
/// The data a Modbus server answers from: one libmodbus mapping (modbus_mapping_new_start_address) behind a lock
/// shared with the serving threads, so the managed accessors may read and write while clients are served. Every
/// accessor call is atomic with respect to requests (a multi-register value written in one call is never seen torn).
/// One store may back several servers (a TCP and an RTU face of the same simulated PLC).
/// </summary>
public sealed unsafe class ModbusDataStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SafeModbusMappingHandle _mapping;
    private readonly Channel<ModbusWriteNotice> _writes = Channel.CreateBounded<ModbusWriteNotice>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false });

    /// <summary>Allocates the four tables, zero-filled.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A range runs past address 65535 or has a negative count.</exception>
    public ModbusDataStore(ModbusAddressRange coils, ModbusAddressRange discreteInputs, ModbusAddressRange holdingRegisters, ModbusAddressRange inputRegisters)
    {
        CheckLayout(coils, nameof(coils));
        CheckLayout(discreteInputs, nameof(discreteInputs));
        CheckLayout(holdingRegisters, nameof(holdingRegisters));
        CheckLayout(inputRegisters, nameof(inputRegisters));
        var m = Interop.Libmodbus.MappingNewStartAddress(
            coils.Start, (uint)coils.Count,
            discreteInputs.Start, (uint)discreteInputs.Count,
            holdingRegisters.Start, (uint)holdingRegisters.Count,
            inputRegisters.Start, (uint)inputRegisters.Count);
        if (m is null)
        {
            throw ModbusErrors.FromLastError("modbus_mapping_new_start_address", null);
        }

        _mapping = new SafeModbusMappingHandle(m);
        Coils = coils;
        DiscreteInputs = discreteInputs;
        HoldingRegisters = holdingRegisters;
        InputRegisters = inputRegisters;
    }

    /// <summary>A store serving <paramref name="count"/> items of every table from address 0.</summary>
    public ModbusDataStore(int count)
        : this(new(0, count), new(0, count), new(0, count), new(0, count))
    {
    }

    /// <summary>Served coil addresses.</summary>
    public ModbusAddressRange Coils { get; }

    /// <summary>Served discrete input addresses.</summary>
    public ModbusAddressRange DiscreteInputs { get; }

    /// <summary>Served holding register addresses.</summary>
    public ModbusAddressRange HoldingRegisters { get; }

    /// <summary>Served input register addresses.</summary>
    public ModbusAddressRange InputRegisters { get; }

    /// <summary>
    /// Writes clients made (newest 1024 kept if nobody reads), for simulators that react to commands. Reading is optional.
    /// </summary>
    public ChannelReader<ModbusWriteNotice> Writes => _writes.Reader;

    /// <summary>Reads one coil.</summary>
    public bool GetCoil(ushort address)
    {
        Span<bool> one = stackalloc bool[1];
        ReadCoils(address, one);
        return one[0];
    }

    /// <summary>Sets one coil.</summary>
    public void SetCoil(ushort address, bool value) => WriteCoils(address, [value]);

    /// <summary>Copies coils from <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void ReadCoils(ushort address, Span<bool> destination) =>
        CopyBits(ModbusTable.Coils, address, destination, default, reading: true);

    /// <summary>Sets coils from <paramref name="address"/> on.</summary>
    public void WriteCoils(ushort address, ReadOnlySpan<bool> values) =>
        CopyBits(ModbusTable.Coils, address, default, values, reading: false);

    /// <summary>Reads one discrete input.</summary>
    public bool GetDiscreteInput(ushort address)
    {
        Span<bool> one = stackalloc bool[1];
        ReadDiscreteInputs(address, one);
        return one[0];
    }

    /// <summary>Sets one discrete input.</summary>
    public void SetDiscreteInput(ushort address, bool value) => WriteDiscreteInputs(address, [value]);

    /// <summary>Copies discrete inputs from <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void ReadDiscreteInputs(ushort address, Span<bool> destination) =>
        CopyBits(ModbusTable.DiscreteInputs, address, destination, default, reading: true);

    /// <summary>Sets discrete inputs from <paramref name="address"/> on.</summary>
    public void WriteDiscreteInputs(ushort address, ReadOnlySpan<bool> values) =>
        CopyBits(ModbusTable.DiscreteInputs, address, default, values, reading: false);

    /// <summary>Reads one holding register.</summary>
    public ushort GetHoldingRegister(ushort address)
    {
        Span<ushort> one = stackalloc ushort[1];
        ReadHoldingRegisters(address, one);
        return one[0];
    }

    /// <summary>Sets one holding register.</summary>
    public void SetHoldingRegister(ushort address, ushort value) => WriteHoldingRegisters(address, [value]);

    /// <summary>Copies holding registers from <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void ReadHoldingRegisters(ushort address, Span<ushort> destination) =>
        CopyRegisters(ModbusTable.HoldingRegisters, address, destination, default, reading: true);

    /// <summary>Sets holding registers from <paramref name="address"/> on, atomically.</summary>
    public void WriteHoldingRegisters(ushort address, ReadOnlySpan<ushort> values) =>
        CopyRegisters(ModbusTable.HoldingRegisters, address, default, values, reading: false);

    /// <summary>Reads one input register.</summary>
    public ushort GetInputRegister(ushort address)
    {
        Span<ushort> one = stackalloc ushort[1];
        ReadInputRegisters(address, one);
        return one[0];
    }

    /// <summary>Sets one input register.</summary>
    public void SetInputRegister(ushort address, ushort value) => WriteInputRegisters(address, [value]);

    /// <summary>Copies input registers from <paramref name="address"/> into <paramref name="destination"/>.</summary>
    public void ReadInputRegisters(ushort address, Span<ushort> destination) =>
        CopyRegisters(ModbusTable.InputRegisters, address, destination, default, reading: true);

    /// <summary>Sets input registers from <paramref name="address"/> on, atomically.</summary>
    public void WriteInputRegisters(ushort address, ReadOnlySpan<ushort> values) =>
        CopyRegisters(ModbusTable.InputRegisters, address, default, values, reading: false);

    /// <summary>Frees the native tables. Stop every server using the store first.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _mapping.Dispose();
        }

        _writes.Writer.TryComplete();
    }

    /// <summary>
    /// Answers one request under the lock (called by a serving thread); returns modbus_reply's result with errno.
    /// </summary>
    internal int Reply(ModbusContext context, ReadOnlySpan<byte> request, out int errno)
    {
        int rc;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_mapping.IsClosed, this);
            rc = context.Reply(request, _mapping, out errno);
        }

        if (rc > 0)
        {
            NoteWrite(request[(context.HeaderLength - 1)..]);
        }

        return rc;
    }

    /// <summary>Publishes a notice for a write request that fell inside the served range (so libmodbus applied it).</summary>
    /// <param name="pdu">The unit id byte followed by the PDU (function code, then its fields, big-endian).</param>
    private void NoteWrite(ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 6)
        {
            return;
        }

        var unit = pdu[0];
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[2..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[4..]);
        ModbusWriteNotice? notice = pdu[1] switch
        {
            0x05 => new(unit, ModbusTable.Coils, address, 1),
            0x06 => new(unit, ModbusTable.HoldingRegisters, address, 1),
            0x0F when quantity is >= 1 and <= ModbusClient.MaxWriteBits => new(unit, ModbusTable.Coils, address, quantity),
            0x10 when quantity is >= 1 and <= ModbusClient.MaxWriteRegisters => new(unit, ModbusTable.HoldingRegisters, address, quantity),
            0x17 when pdu.Length >= 10 && BinaryPrimitives.ReadUInt16BigEndian(pdu[8..]) is >= 1 and <= ModbusClient.MaxWriteReadWriteRegisters =>
                new(unit, ModbusTable.HoldingRegisters, BinaryPrimitives.ReadUInt16BigEndian(pdu[6..]), BinaryPrimitives.ReadUInt16BigEndian(pdu[8..])),
            _ => null,
        };
        if (notice is { } n && RangeOf(n.Table).Contains(n.Address, n.Count))
        {
            _writes.Writer.TryWrite(n);
        }
    }

    private ModbusAddressRange RangeOf(ModbusTable table) => table switch
    {
        ModbusTable.Coils => Coils,
        ModbusTable.DiscreteInputs => DiscreteInputs,
        ModbusTable.HoldingRegisters => HoldingRegisters,
        _ => InputRegisters,
    };

    private void CopyBits(ModbusTable table, ushort address, Span<bool> destination, ReadOnlySpan<bool> source, bool reading)
    {
        var count = reading ? destination.Length : source.Length;
        var range = CheckAccess(table, address, count);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_mapping.IsClosed, this);
            var m = _mapping.Mapping;
            var tab = table == ModbusTable.Coils ? m->Bits : m->InputBits;
            // libmodbus keeps one bit per byte (0/1), the representation of a .NET bool.
            var span = new Span<bool>(tab + (address - range.Start), count);
            if (reading)
            {
                span.CopyTo(destination);
            }
            else
            {
                source.CopyTo(span);
            }
        }
    }

    private void CopyRegisters(ModbusTable table, ushort address, Span<ushort> destination, ReadOnlySpan<ushort> source, bool reading)
    {
        var count = reading ? destination.Length : source.Length;
        var range = CheckAccess(table, address, count);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_mapping.IsClosed, this);
            var m = _mapping.Mapping;
            var tab = table == ModbusTable.HoldingRegisters ? m->Registers : m->InputRegisters;
            var span = new Span<ushort>(tab + (address - range.Start), count);
            if (reading)
            {
                span.CopyTo(destination);
            }
            else
            {
                source.CopyTo(span);
            }
        }
    }

    private ModbusAddressRange CheckAccess(ModbusTable table, ushort address, int count)
    {
        var range = RangeOf(table);
        if (!range.Contains(address, count))
        {
            throw new ArgumentOutOfRangeException(nameof(address), address, $"{table} {address}+{count} is outside the served range {range.Start}+{range.Count}.");
        }

        return range;
    }

    private static void CheckLayout(ModbusAddressRange range, string name)
    {
        if (range.Count < 0 || range.Start + range.Count > 65536)
        {
            throw new ArgumentOutOfRangeException(name, range, "A table range must have a count ≥ 0 and end at or before address 65535.");
        }
    }
}
