internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>Debian package libevdev2.</summary>
        internal const string Libevdev = "libevdev.so.2";

        /// <summary>glibc: open/close/poll of the event device, heap statistics for leak tests.</summary>
        internal const string Libc = "libc.so.6";
    }
}
