using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static unsafe partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
        internal static partial nint Read(int fd, void* buffer, nuint count);
    }
}
