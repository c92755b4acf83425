using System.Runtime.InteropServices;
using Edge.Evdev;

internal static partial class Interop
{
    /// <summary>Raw libevdev 1.x entry points (libevdev.h, libevdev-uinput.h). Failures are negative errno values.</summary>
    internal static unsafe partial class Libevdev
    {
        internal const uint EvSyn = 0x00;
        internal const uint EvKey = 0x01;
        internal const uint EvMsc = 0x04;
        internal const uint EvRep = 0x14;
        internal const uint SynReport = 0;
        internal const uint SynDropped = 3;
        internal const uint MscScan = 0x04;

        internal const uint ReadFlagSync = 1;
        internal const uint ReadFlagNormal = 2;

        internal const int ReadStatusSuccess = 0;
        internal const int ReadStatusSync = 1;

        internal const int Grab = 3;
        internal const int Ungrab = 4;

        internal const int UinputOpenManaged = -2;

        internal const int ClockMonotonic = 1;

        /// <summary>struct input_event: the time fields are C longs on every ABI (see linux/input.h).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct InputEvent
        {
            internal nint Seconds;
            internal nint Microseconds;
            internal ushort Type;
            internal ushort Code;
            internal int Value;
        }

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_new")]
        internal static partial IntPtr New();

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_free")]
        internal static partial void Free(IntPtr device);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_new_from_fd")]
        internal static partial int NewFromFd(int fd, out IntPtr device);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_grab")]
        internal static partial int GrabDevice(SafeLibevdevHandle device, int mode);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_set_clock_id")]
        internal static partial int SetClockId(SafeLibevdevHandle device, int clockId);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_next_event")]
        internal static partial int NextEvent(SafeLibevdevHandle device, uint flags, InputEvent* ev);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_get_name")]
        internal static partial byte* GetName(SafeLibevdevHandle device);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_set_name", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial void SetName(SafeLibevdevHandle device, string name);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_get_id_vendor")]
        internal static partial int GetIdVendor(SafeLibevdevHandle device);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_get_id_product")]
        internal static partial int GetIdProduct(SafeLibevdevHandle device);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_has_event_code")]
        internal static partial int HasEventCode(SafeLibevdevHandle device, uint type, uint code);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_get_event_value")]
        internal static partial int GetEventValue(SafeLibevdevHandle device, uint type, uint code);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_enable_event_type")]
        internal static partial int EnableEventType(SafeLibevdevHandle device, uint type);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_enable_event_code")]
        internal static partial int EnableEventCode(SafeLibevdevHandle device, uint type, uint code, void* data);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_event_code_from_name", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int EventCodeFromName(uint type, string name);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_event_code_get_name")]
        internal static partial byte* EventCodeGetName(uint type, uint code);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_uinput_create_from_device")]
        internal static partial int UinputCreateFromDevice(SafeLibevdevHandle device, int uinputFd, out IntPtr uinputDevice);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_uinput_destroy")]
        internal static partial void UinputDestroy(IntPtr uinputDevice);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_uinput_get_devnode")]
        internal static partial byte* UinputGetDevnode(SafeUinputHandle uinputDevice);

        [LibraryImport(Libraries.Libevdev, EntryPoint = "libevdev_uinput_write_event")]
        internal static partial int UinputWriteEvent(SafeUinputHandle uinputDevice, uint type, uint code, int value);
    }
}
