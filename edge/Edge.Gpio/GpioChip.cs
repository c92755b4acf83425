using Edge.Gpio.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gpio;

/// <summary>
/// An open GPIO chip (/dev/gpiochipN) through libgpiod v1. Request lines from it; disposing the chip releases every
/// line still requested from it.
/// </summary>
/// <remarks>Thread-safe: requests are serialized (libgpiod's chip object is not thread-safe).</remarks>
public sealed class GpioChip : IDisposable
{
    /// <summary>Consumer label shown by gpioinfo for lines requested without one.</summary>
    public const string DefaultConsumer = "edge-gateway";

    private readonly IGpioChipBackend _backend;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly Lock _lock = new();
    private readonly List<IDisposable> _lines = [];
    private bool _disposed;

    internal GpioChip(IGpioChipBackend backend, string requestedName, ILogger logger, TimeSpan pollInterval)
    {
        _backend = backend;
        _logger = logger;
        _pollInterval = pollInterval;
        RequestedName = requestedName;
    }

    /// <summary>The chip as the caller named it.</summary>
    public string RequestedName { get; }

    /// <summary>Kernel name, e.g. "gpiochip0".</summary>
    public string Name => _backend.Name;

    /// <summary>Driver label, e.g. "pinctrl-bcm2711".</summary>
    public string Label => _backend.Label;

    /// <summary>Number of lines on the chip.</summary>
    public int LineCount => _backend.LineCount;

    /// <summary>
    /// Opens a chip: "gpiochip0" by name, "/dev/gpiochip0" by path, "0" by number, anything else by label (labels
    /// such as "pinctrl-bcm2711" or "pinctrl-rp1" survive renumbering between kernels and Pi models).
    /// </summary>
    /// <exception cref="GpioException">The chip does not exist or cannot be opened; the message names it and the errno text.</exception>
    public static GpioChip Open(string nameOrPath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        var backend = LibgpiodChipBackend.Open(nameOrPath);
        var chip = new GpioChip(backend, nameOrPath, logger ?? NullLogger.Instance, TimeSpan.FromMilliseconds(100));
        Log.ChipOpened(chip._logger, nameOrPath, chip.Name, chip.Label, chip.LineCount);
        return chip;
    }

    /// <summary>GPIO chips present, as "gpiochipN [label]"; empty on a machine without GPIO.</summary>
    public static IReadOnlyList<string> ListChips() => LibgpiodChipBackend.ListChips();

    /// <summary>
    /// Requests an input line. With an edge other than <see cref="GpioEdge.None"/> a pump thread reads the kernel's
    /// edge events (with kernel timestamps) into <see cref="GpioInputLine.Events"/>.
    /// </summary>
    /// <exception cref="GpioException">The offset is out of range, the line is busy (the message names its user), or
    /// the kernel rejected a flag.</exception>
    public GpioInputLine RequestInput(int offset, GpioEdge edge, GpioBias bias = GpioBias.AsIs, string consumer = DefaultConsumer, GpioInputOptions? options = null)
    {
        options ??= new GpioInputOptions();
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var backend = _backend.Request(offset, new GpioLineRequest(consumer, Output: false, edge, bias, options.ActiveLow, GpioDrive.PushPull, InitialValue: false));
            try
            {
                var line = new GpioInputLine(this, backend, offset, edge, options, _logger, _pollInterval);
                _lines.Add(line);
                Log.LineRequested(_logger, RequestedName, offset, edge, consumer);
                return line;
            }
            catch
            {
                backend.Dispose();
                throw;
            }
        }
    }

    /// <summary>Requests an output line, driving <paramref name="initialValue"/> from the moment it is granted.</summary>
    /// <exception cref="GpioException">The offset is out of range or the line is busy.</exception>
    public GpioOutputLine RequestOutput(int offset, bool initialValue, string consumer = DefaultConsumer, GpioOutputOptions? options = null)
    {
        options ??= new GpioOutputOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var backend = _backend.Request(offset, new GpioLineRequest(consumer, Output: true, GpioEdge.None, GpioBias.AsIs, options.ActiveLow, options.Drive, initialValue));
            var line = new GpioOutputLine(this, backend, offset, initialValue);
            _lines.Add(line);
            Log.LineRequested(_logger, RequestedName, offset, GpioEdge.None, consumer);
            return line;
        }
    }

    /// <summary>Releases every line still requested, then closes the chip.</summary>
    public void Dispose()
    {
        IDisposable[] lines;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lines = [.. _lines];
            _lines.Clear();
        }

        foreach (var line in lines)
        {
            line.Dispose();
        }

        _backend.Dispose();
    }

    internal void Forget(IDisposable line)
    {
        lock (_lock)
        {
            _lines.Remove(line);
        }
    }
}
