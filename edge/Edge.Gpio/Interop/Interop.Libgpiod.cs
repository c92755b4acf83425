using System.Runtime.InteropServices;
using Edge.Gpio;

internal static partial class Interop
{
    /// <summary>Raw libgpiod 1.6 entry points (gpiod.h, v1 API). Nothing here checks a return code.</summary>
    internal static unsafe partial class Libgpiod
    {
        internal const int RequestDirectionInput = 2;
        internal const int RequestDirectionOutput = 3;
        internal const int RequestEventFallingEdge = 4;
        internal const int RequestEventRisingEdge = 5;
        internal const int RequestEventBothEdges = 6;

        internal const int FlagOpenDrain = 1 << 0;
        internal const int FlagOpenSource = 1 << 1;
        internal const int FlagActiveLow = 1 << 2;
        internal const int FlagBiasDisable = 1 << 3;
        internal const int FlagBiasPullDown = 1 << 4;
        internal const int FlagBiasPullUp = 1 << 5;

        internal const int EventRisingEdge = 1;
        internal const int EventFallingEdge = 2;

        /// <summary>struct timespec: two C longs on every Linux ABI libgpiod 1.6 ships for (64-bit, and 32-bit time on armhf bookworm).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct TimeSpec
        {
            internal nint Seconds;
            internal nint Nanoseconds;
        }

        /// <summary>struct gpiod_line_event { struct timespec ts; int event_type; }.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct LineEvent
        {
            internal TimeSpec Timestamp;
            internal int EventType;
        }

        /// <summary>struct gpiod_line_request_config; libgpiod copies the consumer into the kernel request.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct LineRequestConfig
        {
            internal byte* Consumer;
            internal int RequestType;
            internal int Flags;
        }

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial IntPtr ChipOpen(string path);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_open_by_name", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial IntPtr ChipOpenByName(string name);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_open_by_label", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial IntPtr ChipOpenByLabel(string label);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_open_by_number", SetLastError = true)]
        internal static partial IntPtr ChipOpenByNumber(uint number);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_close")]
        internal static partial void ChipClose(IntPtr chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_name")]
        internal static partial byte* ChipName(SafeGpioChipHandle chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_label")]
        internal static partial byte* ChipLabel(SafeGpioChipHandle chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_num_lines")]
        internal static partial uint ChipNumLines(SafeGpioChipHandle chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_get_line", SetLastError = true)]
        internal static partial IntPtr ChipGetLine(SafeGpioChipHandle chip, uint offset);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_consumer")]
        internal static partial byte* LineConsumer(IntPtr line);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_request", SetLastError = true)]
        internal static partial int LineRequest(IntPtr line, LineRequestConfig* config, int defaultValue);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_release")]
        internal static partial void LineRelease(IntPtr line);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_event_wait", SetLastError = true)]
        internal static partial int LineEventWait(SafeGpioLineHandle line, TimeSpec* timeout);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_event_read_multiple", SetLastError = true)]
        internal static partial int LineEventReadMultiple(SafeGpioLineHandle line, LineEvent* events, uint count);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_get_value", SetLastError = true)]
        internal static partial int LineGetValue(SafeGpioLineHandle line);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_line_set_value", SetLastError = true)]
        internal static partial int LineSetValue(SafeGpioLineHandle line, int value);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_iter_new", SetLastError = true)]
        internal static partial IntPtr ChipIterNew();

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_iter_next")]
        internal static partial IntPtr ChipIterNext(SafeGpioChipIteratorHandle iterator);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_iter_free")]
        internal static partial void ChipIterFree(IntPtr iterator);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_name")]
        internal static partial byte* ChipNameRaw(IntPtr chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_chip_label")]
        internal static partial byte* ChipLabelRaw(IntPtr chip);

        [LibraryImport(Libraries.Libgpiod, EntryPoint = "gpiod_version_string")]
        internal static partial byte* VersionString();
    }
}
