using System.Runtime.InteropServices;

namespace Edge.Evdev;

/// <summary>Owns one <c>struct libevdev</c>. libevdev_free does not close the descriptor; that has its own handle.</summary>
internal sealed class SafeLibevdevHandle : SafeHandle
{
    public SafeLibevdevHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeLibevdevHandle(IntPtr device)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(device);
        EvdevNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libevdev.Free(handle);
        EvdevNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>Owns one <c>struct libevdev_uinput</c> (a virtual device; destroying it removes the device node).</summary>
internal sealed class SafeUinputHandle : SafeHandle
{
    public SafeUinputHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeUinputHandle(IntPtr device)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(device);
        EvdevNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libevdev.UinputDestroy(handle);
        EvdevNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>Owns the event device's file descriptor.</summary>
internal sealed class SafeEvdevFileDescriptor : SafeHandle
{
    public SafeEvdevFileDescriptor()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal SafeEvdevFileDescriptor(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
        EvdevNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    internal int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle()
    {
        // Closing also drops an EVIOCGRAB grab, so a crashed reader never leaves the scanner captured.
        _ = Interop.Libc.Close((int)handle.ToInt64());
        EvdevNativeDiagnostics.HandleReleased();
        return true;
    }
}
