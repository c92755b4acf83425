using System.Threading.Channels;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Gpio;
using Edge.Devices.Plc;

namespace Edge.Devices.Tests.Support;

/// <summary>A byte source fed by the test; completing it ends the stream, failing it throws from ReadAsync.</summary>
internal sealed class FakeByteSource : IByteChannel
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _pending = [];
    private int _offset;

    public List<string> Written { get; } = [];

    public bool Disposed { get; private set; }

    public void Send(byte[] bytes) => _chunks.Writer.TryWrite(bytes);

    public void Send(string ascii) => Send(System.Text.Encoding.Latin1.GetBytes(ascii));

    public void End() => _chunks.Writer.TryComplete();

    public void Fail(Exception ex) => _chunks.Writer.TryComplete(ex);

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_offset >= _pending.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            _pending = await _chunks.Reader.ReadAsync(cancellationToken);
            _offset = 0;
        }

        var n = Math.Min(buffer.Length, _pending.Length - _offset);
        _pending.AsMemory(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        lock (Written)
        {
            Written.Add(System.Text.Encoding.ASCII.GetString(data.Span));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        _chunks.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Four in-memory Modbus tables per unit, with injectable faults.</summary>
internal sealed class FakeRegisterReader : IRegisterReader
{
    private readonly Dictionary<(byte, RegisterTable), ushort[]> _tables = [];

    public Func<byte, RegisterTable, ushort, int, Exception?>? Fault { get; set; }

    public List<(byte Slave, RegisterTable Table, ushort Address, int Count)> Requests { get; } = [];

    public ushort[] Table(byte slave, RegisterTable table)
    {
        lock (_tables)
        {
            if (!_tables.TryGetValue((slave, table), out var t))
            {
                t = new ushort[65536];
                _tables[(slave, table)] = t;
            }

            return t;
        }
    }

    public void Set(byte slave, RegisterTable table, int address, params ushort[] values) =>
        values.CopyTo(Table(slave, table), address);

    public ValueTask ReadAsync(byte slaveId, RegisterTable table, ushort address, Memory<ushort> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (Requests)
        {
            Requests.Add((slaveId, table, address, destination.Length));
        }

        if (Fault?.Invoke(slaveId, table, address, destination.Length) is { } ex)
        {
            return ValueTask.FromException(ex);
        }

        Table(slaveId, table).AsSpan(address, destination.Length).CopyTo(destination.Span);
        return ValueTask.CompletedTask;
    }
}

internal sealed class FakeOutputLine : IOutputLine
{
    public List<bool> Writes { get; } = [];

    public Exception? Fault { get; set; }

    public bool? State => Writes.Count == 0 ? null : Writes[^1];

    public ValueTask SetAsync(bool on, CancellationToken cancellationToken)
    {
        if (Fault is not null)
        {
            return ValueTask.FromException(Fault);
        }

        lock (Writes)
        {
            Writes.Add(on);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>An outbox stand-in: keeps every stored record, can be made to fail.</summary>
internal sealed class InMemoryPulseStore : IPulseCountStore
{
    public List<PulseCountRecord> Records { get; } = [];

    public Exception? Fault { get; set; }

    public ValueTask<PulseCountState?> LoadAsync(string deviceId, CancellationToken cancellationToken)
    {
        lock (Records)
        {
            var last = Records.LastOrDefault(r => r.Device == deviceId);
            return ValueTask.FromResult(last is null ? (PulseCountState?)null : new PulseCountState(last.Total, last.Epoch));
        }
    }

    public ValueTask SaveAsync(PulseCountRecord record, CancellationToken cancellationToken)
    {
        if (Fault is not null)
        {
            return ValueTask.FromException(Fault);
        }

        lock (Records)
        {
            Records.Add(record);
        }

        return ValueTask.CompletedTask;
    }
}
