using Edge.Gpio.Internal;

namespace Edge.Gpio;

/// <summary>A requested output line (a stack light, a relay, a gate release).</summary>
public sealed class GpioOutputLine : IDisposable
{
    private readonly GpioChip _chip;
    private readonly IGpioLineBackend _backend;
    private readonly Lock _lock = new();
    private bool _disposed;

    internal GpioOutputLine(GpioChip chip, IGpioLineBackend backend, int offset, bool initialValue)
    {
        _chip = chip;
        _backend = backend;
        Offset = offset;
        Value = initialValue;
    }

    /// <summary>Line offset on its chip.</summary>
    public int Offset { get; }

    /// <summary>The logical value last written.</summary>
    public bool Value { get; private set; }

    /// <summary>Drives the line (gpiod_line_set_value).</summary>
    /// <exception cref="GpioException">The kernel refused the write.</exception>
    public void Write(bool value)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _backend.SetValue(value);
            Value = value;
        }
    }

    /// <summary>Releases the line; the kernel keeps its last level only until another user requests it.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _backend.Dispose();
        }

        _chip.Forget(this);
    }
}
