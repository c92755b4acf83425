using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The few glibc calls the Modbus server needs around libmodbus: libmodbus hands back raw descriptors
    /// (listening socket, accepted clients) and blocks in select(), so the serving thread waits in poll() on those
    /// descriptors plus an eventfd that Stop() signals. poll, eventfd, write, close and errno come from the shared
    /// files in edge/Common/Interop; the calls only this binding makes are here.
    /// </summary>
    internal static unsafe partial class Libc
    {
        /// <summary>glibc's FD_SETSIZE: libmodbus waits with select(), which corrupts memory for descriptors at or above it.</summary>
        internal const int FdSetSize = 1024;

        internal const int FGetFl = 3;
        internal const int FSetFl = 4;
        internal const int ONonblock = 0x800;

        /// <summary>fcntl with one int argument (F_GETFL/F_SETFL); variadic in C, which Linux ABIs pass like a fixed int.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(int fd, int command, int argument);

        [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
        internal static partial int GetSockName(int fd, SockAddrIn* address, uint* length);

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
