internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>Debian package libmodbus5 (3.1.x).</summary>
        internal const string Libmodbus = "libmodbus.so.5";

        /// <summary>glibc, for poll/eventfd/close around the libmodbus server sockets.</summary>
        internal const string Libc = "libc.so.6";
    }
}
