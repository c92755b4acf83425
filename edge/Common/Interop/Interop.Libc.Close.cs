using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
