using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        internal const short PollIn = 0x1;
        internal const short PollOut = 0x4;
        internal const short PollErr = 0x8;
        internal const short PollHup = 0x10;
        internal const short PollNval = 0x20;

        /// <summary>struct pollfd from poll.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short REvents;
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);
    }
}
