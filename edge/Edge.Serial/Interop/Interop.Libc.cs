using System.Runtime.InteropServices;

namespace Edge.Serial;

internal static partial class Interop
{
    /// <summary>
    /// glibc entry points. Constants are the Linux "generic" values shared by x86-64, arm and arm64 (the gateway
    /// targets); alpha, mips, powerpc and sparc differ and are not supported.
    /// </summary>
    internal static unsafe partial class Libc
    {
        internal const int ORdwr = 0x2;
        internal const int ONoctty = 0x100;
        internal const int ONonblock = 0x800;
        internal const int OCloexec = 0x80000;

        internal const short PollIn = 0x1;
        internal const short PollOut = 0x4;
        internal const short PollErr = 0x8;
        internal const short PollHup = 0x10;
        internal const short PollNval = 0x20;

        internal const int EIntr = 4;
        internal const int EIo = 5;
        internal const int ENxio = 6;
        internal const int EAgain = 11;
        internal const int ENodev = 19;
        internal const int ENotty = 25;

        internal const int EfdCloexec = 0x80000;
        internal const int EfdNonblock = 0x800;

        internal const int LockEx = 2;
        internal const int LockNb = 4;

        internal const int TcsaNow = 0;
        internal const int TcIflush = 0;

        // termios c_iflag
        internal const uint Ignpar = 0x4;
        internal const uint Parmrk = 0x8;
        internal const uint Inpck = 0x10;
        internal const uint Ixon = 0x400;
        internal const uint Ixany = 0x800;
        internal const uint Ixoff = 0x1000;

        // termios c_cflag
        internal const uint Csize = 0x30;
        internal const uint Cs5 = 0x0;
        internal const uint Cs6 = 0x10;
        internal const uint Cs7 = 0x20;
        internal const uint Cs8 = 0x30;
        internal const uint Cstopb = 0x40;
        internal const uint Cread = 0x80;
        internal const uint Parenb = 0x100;
        internal const uint Parodd = 0x200;
        internal const uint Clocal = 0x800;
        internal const uint Cmspar = 0x40000000;
        internal const uint Crtscts = 0x80000000;

        internal const int Vtime = 5;
        internal const int Vmin = 6;

        internal const nuint Tiocoutq = 0x5411;

        /// <summary>glibc's struct termios (60 bytes; NCCS = 32).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Termios
        {
            internal uint IFlag;
            internal uint OFlag;
            internal uint CFlag;
            internal uint LFlag;
            internal byte Line;
            internal fixed byte ControlChars[32];
            internal uint ISpeed;
            internal uint OSpeed;
        }

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

        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static partial nint Read(int fd, byte* buffer, nuint count);

        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static partial nint Write(int fd, byte* buffer, nuint count);

        [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
        internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

        [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initialValue, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "flock", SetLastError = true)]
        internal static partial int Flock(int fd, int operation);

        [LibraryImport(Libraries.Libc, EntryPoint = "tcgetattr", SetLastError = true)]
        internal static partial int TcGetAttr(int fd, Termios* termios);

        [LibraryImport(Libraries.Libc, EntryPoint = "tcsetattr", SetLastError = true)]
        internal static partial int TcSetAttr(int fd, int optionalActions, Termios* termios);

        [LibraryImport(Libraries.Libc, EntryPoint = "cfmakeraw")]
        internal static partial void CfMakeRaw(Termios* termios);

        // glibc's cfsetspeed accepts a plain number of baud as well as a Bnnn code, so callers pass numbers.
        [LibraryImport(Libraries.Libc, EntryPoint = "cfsetspeed", SetLastError = true)]
        internal static partial int CfSetSpeed(Termios* termios, uint speed);

        [LibraryImport(Libraries.Libc, EntryPoint = "cfgetospeed")]
        internal static partial uint CfGetOSpeed(Termios* termios);

        [LibraryImport(Libraries.Libc, EntryPoint = "tcdrain", SetLastError = true)]
        internal static partial int TcDrain(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "tcflush", SetLastError = true)]
        internal static partial int TcFlush(int fd, int queueSelector);

        // ioctl is variadic; on the Linux ABIs we target a trailing pointer argument is passed like a fixed one.
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static partial int Ioctl(int fd, nuint request, int* argument);

        [LibraryImport(Libraries.Libc, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial byte* RealPath(string path, byte* resolved);

        [LibraryImport(Libraries.Libc, EntryPoint = "free")]
        internal static partial void Free(void* pointer);

        [LibraryImport(Libraries.Libc, EntryPoint = "mallinfo2")]
        internal static partial MallInfo2 MallInfo();

        /// <summary>strerror text for an errno value.</summary>
        internal static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);

        /// <summary>Canonical path (all symlinks resolved), or null with the errno when the path does not resolve.</summary>
        internal static string? TryRealPath(string path, out int errno)
        {
            var resolved = RealPath(path, null);
            if (resolved is null)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }

            try
            {
                errno = 0;
                return Marshal.PtrToStringUTF8((IntPtr)resolved);
            }
            finally
            {
                Free(resolved);
            }
        }

        /// <summary>Bytes the C heap has handed out and not taken back: leak tests compare it across many cycles.</summary>
        internal static long NativeHeapBytesInUse()
        {
            var info = MallInfo();
            return (long)(info.UordBlks + info.HBlkHd);
        }
    }
}
