using System.Runtime.InteropServices;

namespace Edge.Evdev.Internal;

/// <summary>An event device (/dev/input/eventN) read through libevdev, optionally grabbed exclusively.</summary>
internal sealed unsafe class LibevdevSource : IInputEventSource
{
    // Closing the descriptor also drops an EVIOCGRAB grab, so a crashed reader never leaves the scanner captured.
    private readonly SafeFileDescriptorHandle _fd;
    private readonly SafeLibevdevHandle _device;
    private bool _grabbed;

    private LibevdevSource(string devicePath, SafeFileDescriptorHandle fd, SafeLibevdevHandle device)
    {
        DevicePath = devicePath;
        _fd = fd;
        _device = device;
        Name = Marshal.PtrToStringUTF8((IntPtr)Interop.Libevdev.GetName(device)) ?? string.Empty;
        VendorId = Interop.Libevdev.GetIdVendor(device);
        ProductId = Interop.Libevdev.GetIdProduct(device);
    }

    public string DevicePath { get; }

    public string Name { get; }

    public int VendorId { get; }

    public int ProductId { get; }

    /// <summary>Opens the device non-blocking, wraps it in libevdev, switches its clock to CLOCK_MONOTONIC and grabs it.</summary>
    internal static LibevdevSource Open(string devicePath, bool grab)
    {
        var rawFd = Interop.Libc.Open(devicePath, Interop.Libc.ORdonly | Interop.Libc.ONonblock | Interop.Libc.OCloexec);
        if (rawFd < 0)
        {
            throw new EvdevException(devicePath, "open", Marshal.GetLastPInvokeError());
        }

        var fd = new SafeFileDescriptorHandle(rawFd);
        SafeLibevdevHandle? device = null;
        try
        {
            var rc = Interop.Libevdev.NewFromFd(rawFd, out var raw);
            if (rc < 0)
            {
                throw new EvdevException(devicePath, "libevdev_new_from_fd", -rc, -rc == 25 ? "The file is not an evdev input device." : null);
            }

            device = new SafeLibevdevHandle(raw);
            if (Interop.Libevdev.HasEventCode(device, Interop.Libevdev.EvKey, (uint)KeyCode.Enter) == 0
                && Interop.Libevdev.HasEventCode(device, Interop.Libevdev.EvKey, (uint)KeyCode.KpEnter) == 0)
            {
                throw new EvdevException(devicePath, "libevdev_has_event_code", 22, "The device has no Enter key, so it is not a keyboard-wedge scanner.");
            }

            // Monotonic event times make the stale-scan timeout immune to NTP steps on a gateway that booted offline.
            rc = Interop.Libevdev.SetClockId(device, Interop.Libevdev.ClockMonotonic);
            if (rc < 0)
            {
                throw new EvdevException(devicePath, "libevdev_set_clock_id", -rc);
            }

            var source = new LibevdevSource(devicePath, fd, device);
            if (grab)
            {
                source.Grab();
            }

            return source;
        }
        catch
        {
            device?.Dispose();
            fd.Dispose();
            throw;
        }
    }

    public bool Wait(int timeoutMs)
    {
        var pfd = new Interop.Libc.PollFd { Fd = _fd.Fd, Events = Interop.Libc.PollIn };
        var n = Interop.Libc.Poll(&pfd, 1, timeoutMs);
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EIntr)
            {
                return false;
            }

            throw new EvdevException(DevicePath, "poll", errno);
        }

        return n > 0;
    }

    public NextEventStatus Next(out RawInputEvent e)
    {
        Interop.Libevdev.InputEvent ev;
        var rc = Interop.Libevdev.NextEvent(_device, Interop.Libevdev.ReadFlagNormal, &ev);
        if (rc == Interop.Libevdev.ReadStatusSync)
        {
            // Drain the re-sync delta: libevdev updates its key state from it, which IsKeyDown then reports.
            while (Interop.Libevdev.NextEvent(_device, Interop.Libevdev.ReadFlagSync, &ev) == Interop.Libevdev.ReadStatusSync)
            {
            }

            e = new RawInputEvent(ev.Type, ev.Code, ev.Value, Timestamp(ev));
            return NextEventStatus.Dropped;
        }

        if (rc == Interop.Libevdev.ReadStatusSuccess)
        {
            e = new RawInputEvent(ev.Type, ev.Code, ev.Value, Timestamp(ev));
            return NextEventStatus.Event;
        }

        e = default;
        return -rc switch
        {
            Interop.Libc.EAgain => NextEventStatus.Empty,
            Interop.Libc.ENodev => NextEventStatus.Gone,
            _ => throw new EvdevException(DevicePath, "libevdev_next_event", -rc),
        };
    }

    public bool IsKeyDown(KeyCode key) => Interop.Libevdev.GetEventValue(_device, Interop.Libevdev.EvKey, (uint)key) != 0;

    public void Dispose()
    {
        if (_grabbed)
        {
            // Best effort: closing the descriptor releases the grab anyway.
            _ = Interop.Libevdev.GrabDevice(_device, Interop.Libevdev.Ungrab);
            _grabbed = false;
        }

        _device.Dispose();
        _fd.Dispose();
    }

    private static TimeSpan Timestamp(in Interop.Libevdev.InputEvent ev) =>
        TimeSpan.FromTicks((ev.Seconds * TimeSpan.TicksPerSecond) + (ev.Microseconds * TimeSpan.TicksPerMicrosecond));

    private void Grab()
    {
        var rc = Interop.Libevdev.GrabDevice(_device, Interop.Libevdev.Grab);
        if (rc < 0)
        {
            var detail = -rc == Interop.Libc.EBusy ? "Another program (e.g. a desktop session or another reader) has grabbed it." : null;
            throw new EvdevException(DevicePath, "libevdev_grab", -rc, detail);
        }

        _grabbed = true;
    }
}
