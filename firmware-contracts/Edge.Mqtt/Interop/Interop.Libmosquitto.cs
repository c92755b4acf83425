using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// Raw libmosquitto 2.0 entry points and constants (mosquitto.h, mqtt_protocol.h). Functions return a
    /// <c>mosq_err_t</c>; <see cref="Edge.Mqtt.Internal.Mosquitto"/> turns failures into exceptions. Nothing outside
    /// Interop/ and that proxy calls these.
    /// </summary>
    internal static unsafe partial class Libmosquitto
    {
        // enum mosq_err_t
        internal const int ErrConnPending = -1;
        internal const int ErrSuccess = 0;
        internal const int ErrNoMem = 1;
        internal const int ErrProtocol = 2;
        internal const int ErrInval = 3;
        internal const int ErrNoConn = 4;
        internal const int ErrConnRefused = 5;
        internal const int ErrNotFound = 6;
        internal const int ErrConnLost = 7;
        internal const int ErrTls = 8;
        internal const int ErrPayloadSize = 9;
        internal const int ErrNotSupported = 10;
        internal const int ErrAuth = 11;
        internal const int ErrAclDenied = 12;
        internal const int ErrUnknown = 13;
        internal const int ErrErrno = 14;
        internal const int ErrEai = 15;
        internal const int ErrProxy = 16;
        internal const int ErrKeepalive = 19;
        internal const int ErrLookup = 20;
        internal const int ErrTlsHandshake = 23;
        internal const int ErrTimeout = 27;

        // enum mosq_opt_t
        internal const int OptProtocolVersion = 1;
        internal const int OptReceiveMaximum = 4;
        internal const int OptSendMaximum = 5;
        internal const int OptTcpNoDelay = 11;

        // MQTT_PROTOCOL_*
        internal const int ProtocolV311 = 4;
        internal const int ProtocolV5 = 5;

        // enum mqtt5_property (the ones we read or write)
        internal const int PropSessionExpiryInterval = 17;
        internal const int PropAssignedClientIdentifier = 18;
        internal const int PropReasonString = 31;
        internal const int PropReceiveMaximum = 33;
        internal const int PropUserProperty = 38;
        internal const int PropWillDelayInterval = 24;
        internal const int PropMessageExpiryInterval = 2;
        internal const int PropContentType = 3;

        // enum mqtt5_sub_options
        internal const int SubOptNoLocal = 0x04;
        internal const int SubOptRetainAsPublished = 0x08;
        internal const int SubOptSendRetainNew = 0x10;
        internal const int SubOptSendRetainNever = 0x20;

        // MOSQ_LOG_* levels
        internal const int LogInfo = 1 << 0;
        internal const int LogNotice = 1 << 1;
        internal const int LogWarning = 1 << 2;
        internal const int LogErr = 1 << 3;
        internal const int LogDebug = 1 << 4;

        /// <summary>struct mosquitto_message; the library owns it and frees it when the callback returns.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Message
        {
            internal int Mid;
            internal byte* Topic;
            internal byte* Payload;
            internal int PayloadLength;
            internal int Qos;
            internal byte Retain;
        }

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_lib_init")]
        internal static partial int LibInit();

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_lib_version")]
        internal static partial int LibVersion(int* major, int* minor, int* revision);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint New(string? id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint userData);

        /// <summary>For ReleaseHandle, which only has the raw pointer.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_destroy")]
        internal static partial void Destroy(nint mosq);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_int_option")]
        internal static partial int IntOption(SafeMosquittoHandle mosq, int option, int value);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_threaded_set")]
        internal static partial int ThreadedSet(SafeMosquittoHandle mosq, [MarshalAs(UnmanagedType.U1)] bool threaded);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_username_pw_set", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int UsernamePwSet(SafeMosquittoHandle mosq, string? username, string? password);

        /// <summary>On success libmosquitto takes ownership of <paramref name="properties"/>; on failure the caller keeps it.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_will_set_v5", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int WillSetV5(SafeMosquittoHandle mosq, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain, nint properties);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int TlsSet(SafeMosquittoHandle mosq, string? caFile, string? caPath, string? certFile, string? keyFile, nint passwordCallback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_tls_insecure_set")]
        internal static partial int TlsInsecureSet(SafeMosquittoHandle mosq, [MarshalAs(UnmanagedType.U1)] bool insecure);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_tls_opts_set", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int TlsOptsSet(SafeMosquittoHandle mosq, int certReqs, string? tlsVersion, string? ciphers);

        /// <summary>Blocking TCP connect, then queues CONNECT. The properties are copied; the caller frees its list.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_connect_bind_v5", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int ConnectBindV5(SafeMosquittoHandle mosq, string host, int port, int keepalive, string? bindAddress, nint properties);

        /// <summary>Reconnects with the host, port, keepalive and CONNECT properties of the last connect; keeps the socketpair.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_reconnect", SetLastError = true)]
        internal static partial int Reconnect(SafeMosquittoHandle mosq);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_disconnect_v5")]
        internal static partial int DisconnectV5(SafeMosquittoHandle mosq, int reasonCode, nint properties);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_publish_v5", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int PublishV5(SafeMosquittoHandle mosq, int* mid, string topic, int payloadLength, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain, nint properties);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_subscribe_v5", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int SubscribeV5(SafeMosquittoHandle mosq, int* mid, string filter, int qos, int options, nint properties);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_unsubscribe_v5", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int UnsubscribeV5(SafeMosquittoHandle mosq, int* mid, string filter, nint properties);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_loop", SetLastError = true)]
        internal static partial int Loop(SafeMosquittoHandle mosq, int timeoutMs, int maxPackets);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_loop_write", SetLastError = true)]
        internal static partial int LoopWrite(SafeMosquittoHandle mosq, int maxPackets);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_loop_misc")]
        internal static partial int LoopMisc(SafeMosquittoHandle mosq);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_want_write")]
        [return: MarshalAs(UnmanagedType.U1)]
        internal static partial bool WantWrite(SafeMosquittoHandle mosq);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_socket")]
        internal static partial int Socket(SafeMosquittoHandle mosq);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_connect_v5_callback_set")]
        internal static partial void ConnectV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, int, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_disconnect_v5_callback_set")]
        internal static partial void DisconnectV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_publish_v5_callback_set")]
        internal static partial void PublishV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, int, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_message_v5_callback_set")]
        internal static partial void MessageV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, Message*, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_subscribe_v5_callback_set")]
        internal static partial void SubscribeV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, int, int*, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_unsubscribe_v5_callback_set")]
        internal static partial void UnsubscribeV5CallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, nint, void> callback);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_log_callback_set")]
        internal static partial void LogCallbackSet(SafeMosquittoHandle mosq, delegate* unmanaged<nint, nint, int, byte*, void> callback);

        /// <summary>Static text owned by the library; never freed.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_strerror")]
        internal static partial byte* StrError(int error);

        /// <summary>Static text for an MQTT 3.1.1 CONNACK return code; never freed.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_connack_string")]
        internal static partial byte* ConnackString(int connackCode);

        /// <summary>Static text for an MQTT 5 reason code; never freed.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_reason_string")]
        internal static partial byte* ReasonString(int reasonCode);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_add_int32")]
        internal static partial int PropertyAddInt32(nint* list, int identifier, uint value);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_add_string", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int PropertyAddString(nint* list, int identifier, string value);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_add_string_pair", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int PropertyAddStringPair(nint* list, int identifier, string name, string value);

        /// <summary>Finds the next property <paramref name="identifier"/>; on success the two strings are malloc'd copies the caller frees.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_read_string_pair")]
        internal static partial nint PropertyReadStringPair(nint list, int identifier, byte** name, byte** value, [MarshalAs(UnmanagedType.U1)] bool skipFirst);

        /// <summary>Finds property <paramref name="identifier"/>; on success the string is a malloc'd copy the caller frees.</summary>
        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_read_string")]
        internal static partial nint PropertyReadString(nint list, int identifier, byte** value, [MarshalAs(UnmanagedType.U1)] bool skipFirst);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_read_int16")]
        internal static partial nint PropertyReadInt16(nint list, int identifier, ushort* value, [MarshalAs(UnmanagedType.U1)] bool skipFirst);

        [LibraryImport(Libraries.Libmosquitto, EntryPoint = "mosquitto_property_free_all")]
        internal static partial void PropertyFreeAll(nint* list);
    }
}
