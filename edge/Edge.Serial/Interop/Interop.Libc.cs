using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// The glibc entry points only the serial binding needs (termios, flock, ioctl, realpath); open, close, read,
    /// write, poll, eventfd and errno come from the shared files in edge/Common/Interop. Constants are the Linux
    /// "generic" values shared by x86-64, arm and arm64 (the gateway targets); alpha, mips, powerpc and sparc differ
    /// and are not supported.
    /// </summary>
    internal static unsafe partial class Libc
    {
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
    }
}
