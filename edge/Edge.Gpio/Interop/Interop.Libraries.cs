internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>Debian package libgpiod2: libgpiod 1.6 (the v1 API; libgpiod3 is the incompatible v2 API).</summary>
        internal const string Libgpiod = "libgpiod.so.2";

        /// <summary>glibc, for the heap statistics leak tests read.</summary>
        internal const string Libc = "libc.so.6";
    }
}
