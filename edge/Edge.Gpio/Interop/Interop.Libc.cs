using System.Runtime.InteropServices;

namespace Edge.Gpio;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int EBusy = 16;
        internal const int ENodev = 19;
        internal const int EInval = 22;

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
