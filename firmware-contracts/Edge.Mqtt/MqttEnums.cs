namespace Edge.Mqtt;

/// <summary>MQTT quality of service of a publish or a subscription.</summary>
public enum MqttQos
{
    /// <summary>QoS 0: sent once, never acknowledged; lost if the connection drops.</summary>
    AtMostOnce = 0,

    /// <summary>QoS 1: acknowledged with PUBACK; resent until acknowledged, so it may arrive twice.</summary>
    AtLeastOnce = 1,

    /// <summary>QoS 2: four-packet handshake; delivered once per session.</summary>
    ExactlyOnce = 2,
}

/// <summary>The MQTT protocol version spoken on the connection.</summary>
public enum MqttProtocolVersion
{
    /// <summary>MQTT 3.1.1 (no properties, no reason codes on PUBACK: an ACL denial is invisible).</summary>
    V311 = 4,

    /// <summary>MQTT 5.0, the default: reason codes, user properties, session expiry, shared subscriptions.</summary>
    V500 = 5,
}

/// <summary>
/// What the client does when a message arrives and the receive buffer (<see cref="MqttMessageBufferOptions.Capacity"/>)
/// is full. libmosquitto acknowledges a QoS 1 message as soon as the client has read it off the socket, so a
/// message dropped here is lost for good; only <see cref="Wait"/> loses nothing.
/// </summary>
public enum MqttOverflowPolicy
{
    /// <summary>
    /// Backpressure (the default): the client stops reading from the socket until the consumer makes room, so
    /// unread messages stay with the broker (in its queue or unacknowledged in flight) and nothing is dropped. The
    /// native callback never blocks; the few messages already read in the same socket read are held aside.
    /// While reading is paused, PUBACKs for this client's own publishes are not read either, and if the pause
    /// outlasts about one keepalive interval the client drops the connection and reconnects after the consumer
    /// has caught up (a persistent session keeps everything; a clean session loses what the broker held).
    /// </summary>
    Wait = 0,

    /// <summary>The oldest buffered message is discarded to make room; <see cref="MqttClient.DroppedMessages"/> counts it.</summary>
    DropOldest = 1,

    /// <summary>The arriving message is discarded and the buffer keeps the older ones; <see cref="MqttClient.DroppedMessages"/> counts it.</summary>
    DropNewest = 2,
}

/// <summary>When the broker sends retained messages for a new subscription (MQTT 5 subscription option).</summary>
public enum MqttRetainHandling
{
    /// <summary>Send retained messages every time the subscription is made.</summary>
    SendAtSubscribe = 0,

    /// <summary>Send retained messages only if the subscription did not exist before.</summary>
    SendAtSubscribeIfNew = 1,

    /// <summary>Never send retained messages for this subscription.</summary>
    DoNotSend = 2,
}

/// <summary>The client's connection state (<see cref="MqttClient.State"/>).</summary>
public enum MqttConnectionState
{
    /// <summary>Not connected and not trying to be (never connected, after DisconnectAsync, after a refused first connect).</summary>
    Disconnected = 0,

    /// <summary>Connecting or waiting to reconnect; publishes fail fast in this state.</summary>
    Connecting = 1,

    /// <summary>The broker accepted the connection (CONNACK success).</summary>
    Connected = 2,

    /// <summary>DisconnectAsync or DisposeAsync is closing the connection.</summary>
    Disconnecting = 3,

    /// <summary>The client has been disposed.</summary>
    Disposed = 4,
}

/// <summary>The kind of a <see cref="MqttConnectionEventArgs"/>.</summary>
public enum MqttConnectionEventKind
{
    /// <summary>The broker accepted a connection (first connect or reconnect).</summary>
    Connected = 0,

    /// <summary>The connection ended, was refused, or a connect attempt failed; <see cref="MqttConnectionEventArgs.Error"/> says why.</summary>
    Disconnected = 1,

    /// <summary>The client will try again after <see cref="MqttConnectionEventArgs.Delay"/> (attempt <see cref="MqttConnectionEventArgs.Attempt"/>).</summary>
    Reconnecting = 2,
}

/// <summary>The reason code the client sends in its MQTT 5 DISCONNECT.</summary>
public enum MqttDisconnectReason
{
    /// <summary>0x00: normal disconnection; the broker discards the Will.</summary>
    Normal = 0x00,

    /// <summary>0x04: disconnect and ask the broker to publish the Will anyway.</summary>
    WithWillMessage = 0x04,

    /// <summary>0x80: unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>0x83: implementation-specific error.</summary>
    ImplementationSpecificError = 0x83,
}

/// <summary>
/// MQTT 5 reason codes (MQTT 5.0 §2.4) as they appear in CONNACK, PUBACK, SUBACK, UNSUBACK and DISCONNECT. MQTT
/// 3.1.1 CONNACK return codes are mapped onto their MQTT 5 equivalents (e.g. 4 → <see cref="BadUserNameOrPassword"/>).
/// </summary>
public enum MqttReasonCode
{
    /// <summary>0x00: success (also "granted QoS 0" in SUBACK).</summary>
    Success = 0x00,

    /// <summary>0x01: granted QoS 1 (SUBACK).</summary>
    GrantedQos1 = 0x01,

    /// <summary>0x02: granted QoS 2 (SUBACK).</summary>
    GrantedQos2 = 0x02,

    /// <summary>0x04: disconnect with Will message.</summary>
    DisconnectWithWillMessage = 0x04,

    /// <summary>0x10: accepted, but nobody is subscribed (PUBACK); not an error.</summary>
    NoMatchingSubscribers = 0x10,

    /// <summary>0x11: no subscription existed (UNSUBACK).</summary>
    NoSubscriptionExisted = 0x11,

    /// <summary>0x80: unspecified error.</summary>
    UnspecifiedError = 0x80,

    /// <summary>0x81: malformed packet.</summary>
    MalformedPacket = 0x81,

    /// <summary>0x82: protocol error.</summary>
    ProtocolError = 0x82,

    /// <summary>0x83: implementation-specific error.</summary>
    ImplementationSpecificError = 0x83,

    /// <summary>0x84: unsupported protocol version (3.1.1 return code 1).</summary>
    UnsupportedProtocolVersion = 0x84,

    /// <summary>0x85: client identifier not valid (3.1.1 return code 2).</summary>
    ClientIdentifierNotValid = 0x85,

    /// <summary>0x86: bad user name or password (3.1.1 return code 4).</summary>
    BadUserNameOrPassword = 0x86,

    /// <summary>0x87: not authorized (3.1.1 return code 5): credentials accepted but access denied, or an ACL denial.</summary>
    NotAuthorized = 0x87,

    /// <summary>0x88: server unavailable (3.1.1 return code 3).</summary>
    ServerUnavailable = 0x88,

    /// <summary>0x89: server busy.</summary>
    ServerBusy = 0x89,

    /// <summary>0x8A: banned.</summary>
    Banned = 0x8A,

    /// <summary>0x8B: server shutting down.</summary>
    ServerShuttingDown = 0x8B,

    /// <summary>0x8C: bad authentication method.</summary>
    BadAuthenticationMethod = 0x8C,

    /// <summary>0x8D: keep alive timeout.</summary>
    KeepAliveTimeout = 0x8D,

    /// <summary>0x8E: session taken over by another connection with the same client id.</summary>
    SessionTakenOver = 0x8E,

    /// <summary>0x8F: topic filter invalid.</summary>
    TopicFilterInvalid = 0x8F,

    /// <summary>0x90: topic name invalid.</summary>
    TopicNameInvalid = 0x90,

    /// <summary>0x91: packet identifier in use.</summary>
    PacketIdentifierInUse = 0x91,

    /// <summary>0x92: packet identifier not found.</summary>
    PacketIdentifierNotFound = 0x92,

    /// <summary>0x93: receive maximum exceeded.</summary>
    ReceiveMaximumExceeded = 0x93,

    /// <summary>0x94: topic alias invalid.</summary>
    TopicAliasInvalid = 0x94,

    /// <summary>0x95: packet too large.</summary>
    PacketTooLarge = 0x95,

    /// <summary>0x96: message rate too high.</summary>
    MessageRateTooHigh = 0x96,

    /// <summary>0x97: quota exceeded.</summary>
    QuotaExceeded = 0x97,

    /// <summary>0x98: administrative action.</summary>
    AdministrativeAction = 0x98,

    /// <summary>0x99: payload format invalid.</summary>
    PayloadFormatInvalid = 0x99,

    /// <summary>0x9A: retain not supported.</summary>
    RetainNotSupported = 0x9A,

    /// <summary>0x9B: QoS not supported.</summary>
    QosNotSupported = 0x9B,

    /// <summary>0x9C: use another server.</summary>
    UseAnotherServer = 0x9C,

    /// <summary>0x9D: server moved.</summary>
    ServerMoved = 0x9D,

    /// <summary>0x9E: shared subscriptions not supported.</summary>
    SharedSubscriptionsNotSupported = 0x9E,

    /// <summary>0x9F: connection rate exceeded.</summary>
    ConnectionRateExceeded = 0x9F,

    /// <summary>0xA0: maximum connect time.</summary>
    MaximumConnectTime = 0xA0,

    /// <summary>0xA1: subscription identifiers not supported.</summary>
    SubscriptionIdentifiersNotSupported = 0xA1,

    /// <summary>0xA2: wildcard subscriptions not supported.</summary>
    WildcardSubscriptionsNotSupported = 0xA2,
}

/// <summary>libmosquitto's error codes (<c>mosq_err_t</c>), as carried by <see cref="MqttException.NativeError"/>.</summary>
public enum MqttNativeError
{
    /// <summary>MOSQ_ERR_SUCCESS: no native error (the failure is described by the MQTT reason code).</summary>
    Success = 0,

    /// <summary>MOSQ_ERR_NOMEM.</summary>
    OutOfMemory = 1,

    /// <summary>MOSQ_ERR_PROTOCOL.</summary>
    Protocol = 2,

    /// <summary>MOSQ_ERR_INVAL: invalid arguments.</summary>
    InvalidArguments = 3,

    /// <summary>MOSQ_ERR_NO_CONN: not connected.</summary>
    NoConnection = 4,

    /// <summary>MOSQ_ERR_CONN_REFUSED: the broker refused the connection (see the reason code).</summary>
    ConnectionRefused = 5,

    /// <summary>MOSQ_ERR_NOT_FOUND.</summary>
    NotFound = 6,

    /// <summary>MOSQ_ERR_CONN_LOST: the connection was lost.</summary>
    ConnectionLost = 7,

    /// <summary>MOSQ_ERR_TLS: TLS error (certificate verification, hostname mismatch, unreadable files).</summary>
    Tls = 8,

    /// <summary>MOSQ_ERR_PAYLOAD_SIZE: payload too large.</summary>
    PayloadSize = 9,

    /// <summary>MOSQ_ERR_NOT_SUPPORTED.</summary>
    NotSupported = 10,

    /// <summary>MOSQ_ERR_AUTH.</summary>
    Authentication = 11,

    /// <summary>MOSQ_ERR_ACL_DENIED.</summary>
    AclDenied = 12,

    /// <summary>MOSQ_ERR_UNKNOWN.</summary>
    Unknown = 13,

    /// <summary>MOSQ_ERR_ERRNO: a system call failed (connection refused, reset, unreachable…).</summary>
    Errno = 14,

    /// <summary>MOSQ_ERR_EAI: host name lookup failed.</summary>
    Lookup = 15,

    /// <summary>MOSQ_ERR_PROXY.</summary>
    Proxy = 16,

    /// <summary>MOSQ_ERR_MALFORMED_UTF8: a topic or string is not valid UTF-8.</summary>
    MalformedUtf8 = 18,

    /// <summary>MOSQ_ERR_KEEPALIVE: no PINGRESP in time; the client closed the connection.</summary>
    Keepalive = 19,

    /// <summary>MOSQ_ERR_DUPLICATE_PROPERTY.</summary>
    DuplicateProperty = 22,

    /// <summary>MOSQ_ERR_TLS_HANDSHAKE.</summary>
    TlsHandshake = 23,

    /// <summary>MOSQ_ERR_QOS_NOT_SUPPORTED.</summary>
    QosNotSupported = 24,

    /// <summary>MOSQ_ERR_OVERSIZE_PACKET: the packet exceeds the broker's maximum packet size.</summary>
    OversizePacket = 25,

    /// <summary>MOSQ_ERR_TIMEOUT: used by this client when an acknowledgement or CONNACK did not arrive in time.</summary>
    Timeout = 27,
}
