internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>Debian package libserialport0 (0.1.1 on bookworm).</summary>
        internal const string Libserialport = "libserialport.so.0";

        /// <summary>glibc: termios for pseudo-terminals, poll/eventfd for the receive thread.</summary>
        internal const string Libc = "libc.so.6";
    }
}
