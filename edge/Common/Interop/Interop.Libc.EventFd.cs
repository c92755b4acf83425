using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // eventfd(2) flags; they equal O_CLOEXEC and O_NONBLOCK on the generic Linux ABIs.
        internal const int EfdCloexec = 0x80000;
        internal const int EfdNonblock = 0x800;

        [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initialValue, int flags);
    }
}
