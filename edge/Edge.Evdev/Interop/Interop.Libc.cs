using System.Runtime.InteropServices;

namespace Edge.Evdev;

internal static partial class Interop
{
    /// <summary>glibc entry points; constants are the Linux generic values (x86-64, arm, arm64).</summary>
    internal static unsafe partial class Libc
    {
        internal const int ORdonly = 0x0;
        internal const int ONonblock = 0x800;
        internal const int OCloexec = 0x80000;

        internal const short PollIn = 0x1;
        internal const short PollErr = 0x8;
        internal const short PollHup = 0x10;
        internal const short PollNval = 0x20;

        internal const int EIntr = 4;
        internal const int EAgain = 11;
        internal const int EBusy = 16;
        internal const int ENodev = 19;

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short REvents;
        }

        /// <summary>glibc's struct mallinfo2: ten size_t counters.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct MallInfo2
        {
            internal nuint Arena;
            internal nuint OrdBlks;
            internal nuint SmBlks;
            internal nuint HBlks;
            internal nuint HBlkHd;
            internal nuint UsmBlks;
            internal nuint FsmBlks;
            internal nuint UordBlks;
            internal nuint FordBlks;
            internal nuint KeepCost;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

        [LibraryImport(Libraries.Libc, EntryPoint = "mallinfo2")]
        internal static partial MallInfo2 MallInfo();

        /// <summary>strerror text for an errno value.</summary>
        internal static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

        /// <summary>Bytes the C heap has handed out and not taken back: leak tests compare it across many cycles.</summary>
        internal static long NativeHeapBytesInUse()
        {
            var info = MallInfo();
            return (long)(info.UordBlks + info.HBlkHd);
        }
    }
}
