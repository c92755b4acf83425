internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>glibc: adjtimex(2) for the kernel's clock state, open/fsync/close for directory durability.</summary>
        internal const string Libc = "libc.so.6";
    }
}
