using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // open(2) flags: the generic Linux values (x86-64, arm, arm64).
        internal const int ORdonly = 0x0;
        internal const int ORdwr = 0x2;
        internal const int ONoctty = 0x100;
        internal const int ONonblock = 0x800;
        internal const int OCloexec = 0x80000;

        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);
    }
}
