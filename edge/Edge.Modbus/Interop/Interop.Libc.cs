using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The few glibc calls the Modbus server needs around libmodbus: libmodbus hands back raw descriptors
    /// (listening socket, accepted clients) and blocks in select(), so the serving thread waits in poll() on those
    /// descriptors plus an eventfd that Stop() signals.
    /// </summary>
    internal static unsafe partial class Libc
    {
        internal const short PollIn = 0x001;
        internal const short PollErr = 0x008;
        internal const short PollHup = 0x010;
        internal const short PollNval = 0x020;

        internal const int EfdCloexec = 0x80000;
        internal const int EfdNonblock = 0x800;

        internal const int EIntr = 4;
        internal const int EIo = 5;
        internal const int EBadf = 9;
        internal const int EAgain = 11;
        internal const int EInval = 22;
        internal const int EPipe = 32;
        internal const int ETimedOut = 110;

        /// <summary>glibc's FD_SETSIZE: libmodbus waits with select(), which corrupts memory for descriptors at or above it.</summary>
        internal const int FdSetSize = 1024;

        internal const int EInProgress = 115;

        internal const int FGetFl = 3;
        internal const int FSetFl = 4;
        internal const int ONonblock = 0x800;

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

        [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initialValue, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static partial nint Read(int fd, void* buffer, nuint count);

        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static partial nint Write(int fd, void* buffer, nuint count);

        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        /// <summary>fcntl with one int argument (F_GETFL/F_SETFL); variadic in C, which Linux ABIs pass like a fixed int.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(int fd, int command, int argument);

        [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
        internal static partial int GetSockName(int fd, SockAddrIn* address, uint* length);

        /// <summary>struct pollfd from poll.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short REvents;
        }

        /// <summary>struct sockaddr_in from netinet/in.h (port and address in network byte order).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct SockAddrIn
        {
            internal ushort Family;
            internal ushort PortNetworkOrder;
            internal uint AddressNetworkOrder;
            internal ulong Zero;
        }
    }
}
