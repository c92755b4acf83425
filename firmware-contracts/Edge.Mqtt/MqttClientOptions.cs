namespace Edge.Mqtt;

/// <summary>
/// Settings of one <see cref="MqttClient"/> (configuration section <see cref="SectionName"/>). The client takes a
/// copy when it is constructed and validates it with <see cref="MqttClientOptionsValidator"/>; later changes to
/// this object have no effect on it.
/// </summary>
public sealed class MqttClientOptions
{
    /// <summary>The configuration section these options bind to; validation messages name keys under it.</summary>
    public const string SectionName = "Mqtt";

    /// <summary>Broker host name or IP address. With TLS and hostname verification, it must match the broker certificate.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>Broker TCP port (1883 plain, 8883 TLS by convention).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Local address to bind the client socket to, or null for any.</summary>
    public string? BindAddress { get; set; }

    /// <summary>
    /// Client identifier. Required for a persistent session (<see cref="CleanStart"/> false), because the broker
    /// finds the session by it; when null or empty, libmosquitto makes up a random one.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>Protocol version; MQTT 5 by default.</summary>
    public MqttProtocolVersion ProtocolVersion { get; set; } = MqttProtocolVersion.V500;

    /// <summary>User name for broker authentication, or null.</summary>
    public string? UserName { get; set; }

    /// <summary>Password for broker authentication, or null. Requires <see cref="UserName"/>.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Keepalive interval (whole seconds, 5 s to 65,535 s). The broker drops the client (and publishes its Will)
    /// after 1.5 intervals of silence; the client drops a connection whose PINGRESP does not come back.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True (default): start a new session on every connect. False: resume the broker's stored session
    /// (subscriptions and queued QoS ≥ 1 messages); needs <see cref="ClientId"/> and, with MQTT 5, a
    /// <see cref="SessionExpiryInterval"/> above zero.
    /// </summary>
    public bool CleanStart { get; set; } = true;

    /// <summary>
    /// MQTT 5 Session Expiry Interval (property 0x11 on CONNECT, whole seconds): how long the broker keeps the
    /// session after the connection ends. Zero ends it with the connection; <see cref="Timeout.InfiniteTimeSpan"/>
    /// keeps it forever. Ignored by MQTT 3.1.1, where a non-clean session lives until the broker expires it.
    /// </summary>
    public TimeSpan SessionExpiryInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Outgoing QoS 1/2 messages in flight at once (MOSQ_OPT_SEND_MAXIMUM; the broker's Receive Maximum caps it).
    /// Publishes beyond it wait inside libmosquitto until a PUBACK frees a slot.
    /// </summary>
    public int MaxInflightMessages { get; set; } = 20;

    /// <summary>Incoming QoS 1/2 messages the broker may have in flight to this client (MQTT 5 Receive Maximum).</summary>
    public int ReceiveMaximum { get; set; } = 20;

    /// <summary>
    /// Publishes awaiting their acknowledgement at once (1 to 60,000). Callers beyond it wait (asynchronously) for
    /// a slot, which bounds memory and keeps libmosquitto's 16-bit message ids from wrapping onto live ones.
    /// </summary>
    public int MaxPendingPublishes { get; set; } = 1000;

    /// <summary>
    /// How long a publish, subscribe or unsubscribe waits for its acknowledgement before its task fails with
    /// <see cref="MqttNativeError.Timeout"/>. A QoS 1 message that timed out may still be delivered later:
    /// libmosquitto keeps resending it, so receivers must tolerate duplicates.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one connect attempt may take from the TCP connect to the broker's CONNACK.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Disables Nagle's algorithm (MOSQ_OPT_TCP_NODELAY): lower latency for sparse small messages, more packets under load.</summary>
    public bool TcpNoDelay { get; set; }

    /// <summary>TLS settings, or null for a plain TCP connection.</summary>
    public MqttTlsOptions? Tls { get; set; }

    /// <summary>The Last Will the broker publishes if the connection ends without a normal DISCONNECT, or null.</summary>
    public MqttWillOptions? Will { get; set; }

    /// <summary>Automatic reconnect policy.</summary>
    public MqttReconnectOptions Reconnect { get; set; } = new();

    /// <summary>Receive buffer of <see cref="MqttClient.Messages"/>.</summary>
    public MqttMessageBufferOptions Messages { get; set; } = new();

    internal MqttClientOptions Clone()
    {
        var c = (MqttClientOptions)MemberwiseClone();
        c.Tls = Tls?.Clone();
        c.Will = Will?.Clone();
        c.Reconnect = Reconnect?.Clone()!;
        c.Messages = Messages?.Clone()!;
        return c;
    }
}

/// <summary>TLS settings (section <c>Mqtt:Tls</c>), applied with mosquitto_tls_set and mosquitto_tls_insecure_set.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>PEM file with the CA certificate(s) the broker certificate must chain to. This or <see cref="CaPath"/> is required.</summary>
    public string? CaFile { get; set; }

    /// <summary>Directory of hashed PEM CA certificates (see c_rehash), as an alternative to <see cref="CaFile"/>.</summary>
    public string? CaPath { get; set; }

    /// <summary>PEM client certificate, for brokers with <c>require_certificate true</c>; needs <see cref="KeyFile"/>.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>Unencrypted PEM private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Whether the broker certificate's names (SAN DNS/IP entries, else the CN) must match <see cref="MqttClientOptions.Host"/>.
    /// True by default; false (mosquitto_tls_insecure_set) still checks the chain but lets anyone holding a
    /// certificate from the CA impersonate the broker, so keep it for test benches only.
    /// </summary>
    public bool VerifyHostname { get; set; } = true;

    /// <summary>TLS version to use ("tlsv1.3", "tlsv1.2"), or null for libmosquitto's default.</summary>
    public string? Version { get; set; }

    internal MqttTlsOptions Clone() => (MqttTlsOptions)MemberwiseClone();
}

/// <summary>The Last Will (section <c>Mqtt:Will</c>).</summary>
public sealed class MqttWillOptions
{
    /// <summary>Topic the Will is published to.</summary>
    public string Topic { get; set; } = string.Empty;

    /// <summary>Will payload (base64 when bound from configuration).</summary>
    public byte[] Payload { get; set; } = [];

    /// <summary>Will QoS.</summary>
    public MqttQos Qos { get; set; } = MqttQos.AtLeastOnce;

    /// <summary>Whether the Will is retained (so late subscribers see that the gateway went away).</summary>
    public bool Retain { get; set; }

    /// <summary>MQTT 5 user properties of the Will message.</summary>
    public IList<MqttUserProperty> UserProperties { get; } = [];

    /// <summary>MQTT 5 Will Delay Interval: the broker waits this long (whole seconds) for a reconnect before publishing the Will.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    internal MqttWillOptions Clone()
    {
        var c = new MqttWillOptions { Topic = Topic, Payload = [.. Payload], Qos = Qos, Retain = Retain, Delay = Delay };
        foreach (var p in UserProperties)
        {
            c.UserProperties.Add(p);
        }

        return c;
    }
}

/// <summary>
/// Automatic reconnect (section <c>Mqtt:Reconnect</c>): capped exponential backoff with jitter, computed by the
/// client rather than libmosquitto so that many gateways restarting together after a broker outage spread out.
/// The n-th attempt waits <c>min(MaxDelay, InitialDelay·2ⁿ⁻¹)·(1 − JitterFraction·r)</c>, r uniform in [0, 1).
/// </summary>
public sealed class MqttReconnectOptions
{
    /// <summary>Whether a lost connection is re-established automatically (and ConnectAsync retries transient failures).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Delay before the first attempt.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap on the delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of each delay that is randomised, 0 (none) to 1 (full jitter); 0.5 keeps at least half the backoff.</summary>
    public double JitterFraction { get; set; } = 0.5;

    /// <summary>
    /// How long a connection must last before the backoff starts again from <see cref="InitialDelay"/>. Stops two
    /// clients with the same id (which throw each other off) or a broker that accepts and then drops us from
    /// reconnecting in a tight loop.
    /// </summary>
    public TimeSpan ResetAfter { get; set; } = TimeSpan.FromSeconds(10);

    internal MqttReconnectOptions Clone() => (MqttReconnectOptions)MemberwiseClone();
}

/// <summary>The bounded receive buffer behind <see cref="MqttClient.Messages"/> (section <c>Mqtt:Messages</c>).</summary>
public sealed class MqttMessageBufferOptions
{
    /// <summary>Messages held for the consumer (1 to 1,000,000).</summary>
    public int Capacity { get; set; } = 1024;

    /// <summary>
    /// What happens when the buffer is full. <see cref="MqttOverflowPolicy.Wait"/> by default because a dropped QoS 1
    /// message is already acknowledged to the broker and would be lost, and weighing tickets are money; choose a
    /// drop policy only for streams where the newest (or oldest) values are enough, such as live gauges.
    /// </summary>
    public MqttOverflowPolicy OverflowPolicy { get; set; } = MqttOverflowPolicy.Wait;

    internal MqttMessageBufferOptions Clone() => (MqttMessageBufferOptions)MemberwiseClone();
}
