internal static partial class Interop
{
    /// <summary>Sonames of the native libraries this assembly binds; nothing else names them.</summary>
    internal static class Libraries
    {
        /// <summary>Debian package libmosquitto1 (2.0.x; MQTT 5 needs 1.6 or later, PUBACK reason codes 2.0).</summary>
        internal const string Libmosquitto = "libmosquitto.so.1";

        /// <summary>The Debian package that provides <see cref="Libmosquitto"/>, for error messages.</summary>
        internal const string LibmosquittoPackage = "libmosquitto1";
    }
}
