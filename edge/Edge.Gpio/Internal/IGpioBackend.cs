namespace Edge.Gpio.Internal;

/// <summary>An edge as the backend read it: kernel timestamp in nanoseconds and which edge.</summary>
internal readonly record struct GpioRawEvent(long TimestampNanoseconds, GpioEdge Edge);

/// <summary>What a line request asks the kernel for.</summary>
internal sealed record GpioLineRequest(string Consumer, bool Output, GpioEdge Edge, GpioBias Bias, bool ActiveLow, GpioDrive Drive, bool InitialValue);

/// <summary>
/// The seam between the managed logic (event pump, gap detection, debounce) and libgpiod, so that the logic is tested
/// without a GPIO chip. Implementations are not thread-safe; <see cref="GpioChip"/> serializes requests.
/// </summary>
internal interface IGpioChipBackend : IDisposable
{
    string Name { get; }

    string Label { get; }

    int LineCount { get; }

    IGpioLineBackend Request(int offset, GpioLineRequest request);
}

/// <summary>
/// One requested line. <see cref="WaitForEvents"/> and <see cref="ReadEvents"/> are called only by the line's pump
/// thread; <see cref="GetValue"/>/<see cref="SetValue"/> may be called from any one thread at a time.
/// </summary>
internal interface IGpioLineBackend : IDisposable
{
    /// <summary>Capacity of the kernel's per-line event queue (16 in the v1 uAPI).</summary>
    int KernelQueueCapacity { get; }

    /// <summary>True when events are pending; false when the timeout passed.</summary>
    bool WaitForEvents(TimeSpan timeout);

    /// <summary>Reads up to destination.Length pending events; returns how many.</summary>
    int ReadEvents(Span<GpioRawEvent> destination);

    bool GetValue();

    void SetValue(bool value);
}
