using System.Globalization;
using System.Runtime.InteropServices;

namespace Edge.Gpio.Internal;

/// <summary>A GPIO chip through libgpiod 1.6 (v1 API).</summary>
internal sealed unsafe class LibgpiodChipBackend : IGpioChipBackend
{
    private readonly SafeGpioChipHandle _chip;
    private readonly string _chipName;

    private LibgpiodChipBackend(SafeGpioChipHandle chip, string chipName)
    {
        _chip = chip;
        _chipName = chipName;
        Name = Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.ChipName(chip)) ?? chipName;
        Label = Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.ChipLabel(chip)) ?? string.Empty;
        LineCount = (int)Interop.Libgpiod.ChipNumLines(chip);
    }

    public string Name { get; }

    public string Label { get; }

    public int LineCount { get; }

    /// <summary>
    /// "gpiochip0" opens by name, "/dev/gpiochip0" by path, "0" by number, anything else by label (e.g.
    /// "pinctrl-bcm2711", which stays stable when chip numbering changes between kernels, as on the Pi 5).
    /// </summary>
    internal static LibgpiodChipBackend Open(string nameOrPath)
    {
        IntPtr raw;
        string operation;
        if (nameOrPath.Contains('/', StringComparison.Ordinal))
        {
            (raw, operation) = (Interop.Libgpiod.ChipOpen(nameOrPath), "gpiod_chip_open");
        }
        else if (nameOrPath.StartsWith("gpiochip", StringComparison.Ordinal))
        {
            (raw, operation) = (Interop.Libgpiod.ChipOpenByName(nameOrPath), "gpiod_chip_open_by_name");
        }
        else if (uint.TryParse(nameOrPath, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            (raw, operation) = (Interop.Libgpiod.ChipOpenByNumber(number), "gpiod_chip_open_by_number");
        }
        else
        {
            (raw, operation) = (Interop.Libgpiod.ChipOpenByLabel(nameOrPath), "gpiod_chip_open_by_label");
        }

        if (raw == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            var detail = errno == 25 ? "The device exists but is not a GPIO character device." : null;
            throw GpioProxy.Error(nameOrPath, null, operation, errno, detail);
        }

        return new LibgpiodChipBackend(new SafeGpioChipHandle(raw), nameOrPath);
    }

    /// <summary>Names of the GPIO chips present (gpiod_chip_iter); empty on a machine without GPIO.</summary>
    internal static IReadOnlyList<string> ListChips()
    {
        var raw = Interop.Libgpiod.ChipIterNew();
        if (raw == IntPtr.Zero)
        {
            throw GpioProxy.LastError("/dev", null, "gpiod_chip_iter_new");
        }

        using var iterator = new SafeGpioChipIteratorHandle(raw);
        var names = new List<string>();
        for (var chip = Interop.Libgpiod.ChipIterNext(iterator); chip != IntPtr.Zero; chip = Interop.Libgpiod.ChipIterNext(iterator))
        {
            var name = Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.ChipNameRaw(chip)) ?? string.Empty;
            var label = Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.ChipLabelRaw(chip)) ?? string.Empty;
            names.Add(label.Length == 0 ? name : $"{name} [{label}]");
        }

        return names;
    }

    public IGpioLineBackend Request(int offset, GpioLineRequest request)
    {
        var line = Interop.Libgpiod.ChipGetLine(_chip, (uint)offset);
        if (line == IntPtr.Zero)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw GpioProxy.Error(_chipName, offset, "gpiod_chip_get_line", errno, $"The chip has {LineCount} lines (0–{LineCount - 1}).");
        }

        var config = new Interop.Libgpiod.LineRequestConfig
        {
            RequestType = RequestType(request),
            Flags = Flags(request),
        };
        var consumer = Marshal.StringToCoTaskMemUTF8(request.Consumer);
        int result;
        try
        {
            config.Consumer = (byte*)consumer;
            result = Interop.Libgpiod.LineRequest(line, &config, request.InitialValue ? 1 : 0);
        }
        finally
        {
            // libgpiod copies the consumer into the kernel request structure during the call.
            Marshal.FreeCoTaskMem(consumer);
        }

        if (result < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            string? detail = null;
            if (errno == Interop.Libc.EBusy)
            {
                var owner = Marshal.PtrToStringUTF8((IntPtr)Interop.Libgpiod.LineConsumer(line));
                detail = string.IsNullOrEmpty(owner) ? "The line is in use." : $"The line is in use by '{owner}'.";
            }

            throw GpioProxy.Error(_chipName, offset, "gpiod_line_request", errno, detail);
        }

        var added = false;
        _chip.DangerousAddRef(ref added);
        return new LibgpiodLineBackend(new SafeGpioLineHandle(line, _chip), _chipName, offset);
    }

    public void Dispose() => _chip.Dispose();

    private static int RequestType(GpioLineRequest request) => request.Output
        ? Interop.Libgpiod.RequestDirectionOutput
        : request.Edge switch
        {
            GpioEdge.Rising => Interop.Libgpiod.RequestEventRisingEdge,
            GpioEdge.Falling => Interop.Libgpiod.RequestEventFallingEdge,
            GpioEdge.Both => Interop.Libgpiod.RequestEventBothEdges,
            _ => Interop.Libgpiod.RequestDirectionInput,
        };

    private static int Flags(GpioLineRequest request)
    {
        var flags = request.ActiveLow ? Interop.Libgpiod.FlagActiveLow : 0;
        flags |= request.Bias switch
        {
            GpioBias.Disabled => Interop.Libgpiod.FlagBiasDisable,
            GpioBias.PullUp => Interop.Libgpiod.FlagBiasPullUp,
            GpioBias.PullDown => Interop.Libgpiod.FlagBiasPullDown,
            _ => 0,
        };
        flags |= request.Drive switch
        {
            GpioDrive.OpenDrain => Interop.Libgpiod.FlagOpenDrain,
            GpioDrive.OpenSource => Interop.Libgpiod.FlagOpenSource,
            _ => 0,
        };
        return flags;
    }
}

/// <summary>One line requested through libgpiod.</summary>
internal sealed unsafe class LibgpiodLineBackend : IGpioLineBackend
{
    // GPIOEVENT kfifo size in the kernel's v1 line-event code (drivers/gpio/gpiolib-cdev.c).
    private const int V1KernelQueueCapacity = 16;

    private readonly SafeGpioLineHandle _line;
    private readonly string _chip;
    private readonly int _offset;
    private readonly Interop.Libgpiod.LineEvent[] _events = new Interop.Libgpiod.LineEvent[V1KernelQueueCapacity];

    internal LibgpiodLineBackend(SafeGpioLineHandle line, string chip, int offset)
    {
        _line = line;
        _chip = chip;
        _offset = offset;
    }

    public int KernelQueueCapacity => V1KernelQueueCapacity;

    public bool WaitForEvents(TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);
        var spec = new Interop.Libgpiod.TimeSpec
        {
            Seconds = (nint)(ticks / TimeSpan.TicksPerSecond),
            Nanoseconds = (nint)(ticks % TimeSpan.TicksPerSecond * 100),
        };
        var result = Interop.Libgpiod.LineEventWait(_line, &spec);
        return GpioProxy.Check(result, _chip, _offset, "gpiod_line_event_wait") > 0;
    }

    public int ReadEvents(Span<GpioRawEvent> destination)
    {
        var count = Math.Min(destination.Length, _events.Length);
        int read;
        fixed (Interop.Libgpiod.LineEvent* events = _events)
        {
            read = GpioProxy.Check(Interop.Libgpiod.LineEventReadMultiple(_line, events, (uint)count), _chip, _offset, "gpiod_line_event_read_multiple");
        }

        for (var i = 0; i < read; i++)
        {
            var e = _events[i];
            var ns = ((long)e.Timestamp.Seconds * 1_000_000_000L) + e.Timestamp.Nanoseconds;
            destination[i] = new GpioRawEvent(ns, e.EventType == Interop.Libgpiod.EventRisingEdge ? GpioEdge.Rising : GpioEdge.Falling);
        }

        return read;
    }

    public bool GetValue() => GpioProxy.Check(Interop.Libgpiod.LineGetValue(_line), _chip, _offset, "gpiod_line_get_value") != 0;

    public void SetValue(bool value) => GpioProxy.Check(Interop.Libgpiod.LineSetValue(_line, value ? 1 : 0), _chip, _offset, "gpiod_line_set_value");

    public void Dispose() => _line.Dispose();
}
