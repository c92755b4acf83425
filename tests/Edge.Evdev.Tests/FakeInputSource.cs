using System.Collections.Concurrent;
using Edge.Evdev.Internal;

namespace Edge.Evdev.Tests;

/// <summary>A scripted event device: the hand-written fake for faults (unplug, SYN_DROPPED) without /dev/uinput.</summary>
internal sealed class FakeInputSource : IInputEventSource
{
    private readonly BlockingCollection<(NextEventStatus Status, RawInputEvent Event)> _script = [];
    private readonly ConcurrentQueue<(NextEventStatus Status, RawInputEvent Event)> _ready = new();
    private TimeSpan _clock = TimeSpan.FromSeconds(1000);

    public string DevicePath => "/dev/input/event-fake";

    public string Name => "Fake Scanner";

    public int VendorId => 0x0c2e;

    public int ProductId => 0x0b61;

    public HashSet<KeyCode> KeysDown { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>Idle polls with nothing left to read: once this rises after <see cref="Keys"/>, every key was processed.</summary>
    public int IdleWaitsWithNothingLeft => Volatile.Read(ref _idleWaits);

    private int _idleWaits;

    public void Keys(string events)
    {
        Volatile.Write(ref _idleWaits, 0);
        foreach (var e in RecordedSequences.Parse(events, _clock))
        {
            _script.Add((NextEventStatus.Event, new RawInputEvent(1, (ushort)e.Key, (int)e.Action, e.Timestamp)));
            _script.Add((NextEventStatus.Event, new RawInputEvent(0, 0, 0, e.Timestamp)));
            _clock = e.Timestamp;
        }
    }

    public void Dropped() => _script.Add((NextEventStatus.Dropped, new RawInputEvent(0, 3, 0, _clock)));

    public void Unplug() => _script.Add((NextEventStatus.Gone, default));

    public bool Wait(int timeoutMs)
    {
        if (!_ready.IsEmpty)
        {
            return true;
        }

        if (!_script.TryTake(out var next, timeoutMs))
        {
            if (_script.Count == 0 && _ready.IsEmpty)
            {
                Interlocked.Increment(ref _idleWaits);
            }

            return false;
        }

        _ready.Enqueue(next);
        while (_script.TryTake(out next))
        {
            _ready.Enqueue(next);
        }

        return true;
    }

    public NextEventStatus Next(out RawInputEvent e)
    {
        if (_ready.TryDequeue(out var item))
        {
            e = item.Event;
            return item.Status;
        }

        e = default;
        return NextEventStatus.Empty;
    }

    public bool IsKeyDown(KeyCode key) => KeysDown.Contains(key);

    public void Dispose() => Disposed = true;
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
