using System.Collections.Concurrent;
using Edge.Gpio.Internal;

namespace Edge.Gpio.Tests;

/// <summary>A scripted chip: the hand-written fake standing in for GPIO hardware this machine does not have.</summary>
internal sealed class FakeChipBackend : IGpioChipBackend
{
    public string Name => "gpiochip-fake";

    public string Label => "fake-pinctrl";

    public int LineCount => 32;

    public Dictionary<int, FakeLineBackend> Lines { get; } = [];

    public HashSet<int> Busy { get; } = [];

    public bool Disposed { get; private set; }

    public IGpioLineBackend Request(int offset, GpioLineRequest request)
    {
        if (Busy.Contains(offset))
        {
            throw new GpioException("gpiochip-fake", offset, "gpiod_line_request", 16, "Device or resource busy", "The line is in use by 'other'.");
        }

        var line = new FakeLineBackend(request);
        Lines[offset] = line;
        return line;
    }

    public void Dispose() => Disposed = true;
}

internal sealed class FakeLineBackend(GpioLineRequest request) : IGpioLineBackend
{
    private readonly BlockingCollection<object> _script = [];

    public GpioLineRequest Request { get; } = request;

    public bool Value { get; set; } = request.InitialValue;

    public List<bool> Written { get; } = [];

    public bool Disposed { get; private set; }

    public int WaitCalls;

    public int KernelQueueCapacity => 16;

    /// <summary>Queues one kernel read returning these events.</summary>
    public void Batch(params GpioRawEvent[] events) => _script.Add(events);

    /// <summary>Makes the next wait fail as libgpiod does when the chip goes away.</summary>
    public void Fail(int errno, string text) => _script.Add(new GpioException("gpiochip-fake", 0, "gpiod_line_event_wait", errno, text));

    public bool WaitForEvents(TimeSpan timeout)
    {
        Interlocked.Increment(ref WaitCalls);
        if (!_script.TryTake(out var next, timeout))
        {
            return false;
        }

        if (next is GpioException ex)
        {
            throw ex;
        }

        _pending = (GpioRawEvent[])next;
        return true;
    }

    private GpioRawEvent[] _pending = [];

    public int ReadEvents(Span<GpioRawEvent> destination)
    {
        _pending.CopyTo(destination);
        var n = _pending.Length;
        _pending = [];
        return n;
    }

    public bool GetValue() => Value;

    public void SetValue(bool value)
    {
        Value = value;
        Written.Add(value);
    }

    public void Dispose() => Disposed = true;
}
