using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "write", SetLastError = true)]
        internal static partial nint Write(int fd, void* buffer, nuint count);
    }
}
