namespace Edge.Evdev;

/// <summary>Owns one <c>struct libevdev</c>. libevdev_free does not close the descriptor; that has its own handle.</summary>
internal sealed class SafeLibevdevHandle(IntPtr device) : SafeNativeHandle(device, IntPtr.Zero)
{
    protected override void Free() => Interop.Libevdev.Free(handle);
}

/// <summary>Owns one <c>struct libevdev_uinput</c> (a virtual device; destroying it removes the device node).</summary>
internal sealed class SafeUinputHandle(IntPtr device) : SafeNativeHandle(device, IntPtr.Zero)
{
    protected override void Free() => Interop.Libevdev.UinputDestroy(handle);
}
