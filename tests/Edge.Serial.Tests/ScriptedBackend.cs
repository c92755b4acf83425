using Edge.Serial.Internal;

namespace Edge.Serial.Tests;

/// <summary>
/// A backend whose receive results are scripted: the hand-written fake for device faults no real peer produces on
/// demand (libserialport's ambiguous zero-byte reads). Its descriptor is an eventfd that is readable exactly while
/// script steps are pending, so the real poll loop drives it.
/// </summary>
internal sealed class ScriptedBackend : ISerialBackend
{
    private readonly WakeEvent _readable = WakeEvent.Create("scripted");
    private readonly Queue<(byte[] Data, ReceiveStatus Status, Exception? Error)> _steps = new();
    private readonly Lock _lock = new();
    private SerialPortSettings _applied = new();

    public string Kind => "scripted";

    public int FileDescriptor => _readable.Fd;

    public bool IgnoresCharacterFormat => false;

    public List<byte[]> Written { get; } = [];

    public bool Disposed { get; private set; }

    public void EnqueueData(string text) => Enqueue(System.Text.Encoding.ASCII.GetBytes(text), ReceiveStatus.Data, null);

    public void EnqueueZeroRead(ReceiveStatus status) => Enqueue([], status, null);

    public void EnqueueError(Exception error) => Enqueue([], ReceiveStatus.NothingYet, error);

    public void Apply(SerialPortSettings settings) => _applied = settings with { };

    public SerialPortSettings ReadBack() => _applied with { };

    public int Receive(Span<byte> buffer, out ReceiveStatus status)
    {
        lock (_lock)
        {
            if (_steps.Count == 0)
            {
                _readable.Reset();
                status = ReceiveStatus.NothingYet;
                return 0;
            }

            var (data, s, error) = _steps.Dequeue();
            if (_steps.Count == 0)
            {
                _readable.Reset();
            }

            if (error is not null)
            {
                throw error;
            }

            data.CopyTo(buffer);
            status = s;
            return data.Length;
        }
    }

    public int Write(ReadOnlySpan<byte> data, int timeoutMs)
    {
        Written.Add(data.ToArray());
        return data.Length;
    }

    public int OutputWaiting() => 0;

    public void Drain()
    {
    }

    public void DiscardInput()
    {
    }

    public void Dispose()
    {
        Disposed = true;
        _readable.Dispose();
    }

    private void Enqueue(byte[] data, ReceiveStatus status, Exception? error)
    {
        lock (_lock)
        {
            _steps.Enqueue((data, status, error));
            _readable.Signal();
        }
    }
}
