using System.Runtime.InteropServices;

namespace Edge.Evdev.Internal;

/// <summary>libevdev's own tables of kernel key names, used to check our key codes against the kernel's.</summary>
internal static unsafe class EvdevNames
{
    /// <summary>The code of a kernel key name such as "KEY_A", or -1.</summary>
    internal static int KeyCodeFromName(string name) => Interop.Libevdev.EventCodeFromName(Interop.Libevdev.EvKey, name);

    /// <summary>The kernel name of a key code, e.g. "KEY_ENTER", or null.</summary>
    internal static string? KeyName(KeyCode key) =>
        Marshal.PtrToStringUTF8((IntPtr)Interop.Libevdev.EventCodeGetName(Interop.Libevdev.EvKey, (uint)key));
}
