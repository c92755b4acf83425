namespace Edge.Mqtt;

/// <summary>An MQTT 5 user property: a name/value pair of UTF-8 strings; names may repeat.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Value">The property value.</param>
public readonly record struct MqttUserProperty(string Name, string Value);

/// <summary>
/// An application message: what <see cref="MqttClient.PublishAsync(MqttMessage, CancellationToken)"/> sends and
/// what <see cref="MqttClient.Messages"/> yields. Immutable; received messages own copies of everything libmosquitto
/// handed to the callback.
/// </summary>
public sealed class MqttMessage
{
    private static readonly MqttUserProperty[] s_noProperties = [];

    /// <summary>Creates a message.</summary>
    /// <param name="topic">The topic name (no wildcards).</param>
    /// <param name="payload">The payload; the client copies it when publishing, so the memory may be reused afterwards.</param>
    /// <param name="qos">Quality of service.</param>
    /// <param name="retain">Whether the broker keeps it as the topic's retained message.</param>
    /// <param name="userProperties">MQTT 5 user properties (ignored by MQTT 3.1.1), or null.</param>
    public MqttMessage(string topic, ReadOnlyMemory<byte> payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false, IReadOnlyList<MqttUserProperty>? userProperties = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        Topic = topic;
        Payload = payload;
        Qos = qos;
        Retain = retain;
        UserProperties = userProperties ?? s_noProperties;
    }

    /// <summary>The topic name.</summary>
    public string Topic { get; }

    /// <summary>The payload bytes.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Quality of service (for a received message: the QoS it was delivered with).</summary>
    public MqttQos Qos { get; }

    /// <summary>
    /// Retain flag. On a received message: true when the broker sent it from its retained store (a new
    /// subscription), false for live traffic, unless the subscription asked for retain-as-published.
    /// </summary>
    public bool Retain { get; }

    /// <summary>MQTT 5 user properties in the order they appear in the packet; empty when there are none.</summary>
    public IReadOnlyList<MqttUserProperty> UserProperties { get; }

    /// <summary>The value of the first user property named <paramref name="name"/>, or null.</summary>
    public string? GetUserProperty(string name)
    {
        foreach (var p in UserProperties)
        {
            if (string.Equals(p.Name, name, StringComparison.Ordinal))
            {
                return p.Value;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Topic} (QoS {(int)Qos}{(Retain ? ", retained" : string.Empty)}, {Payload.Length} bytes)";
}

/// <summary>A subscription request.</summary>
/// <param name="Filter">Topic filter (may contain + and #, or be a <c>$share/group/filter</c> shared subscription; see <see cref="MqttTopicFilter.Shared"/>).</param>
/// <param name="Qos">Maximum QoS the broker should deliver with.</param>
/// <param name="NoLocal">MQTT 5: do not receive this client's own publishes.</param>
/// <param name="RetainAsPublished">MQTT 5: keep the retain flag as the publisher set it.</param>
/// <param name="RetainHandling">MQTT 5: when retained messages are sent for this subscription.</param>
public sealed record MqttSubscription(
    string Filter,
    MqttQos Qos = MqttQos.AtLeastOnce,
    bool NoLocal = false,
    bool RetainAsPublished = false,
    MqttRetainHandling RetainHandling = MqttRetainHandling.SendAtSubscribe);

/// <summary>The broker's answer (SUBACK) for one filter.</summary>
/// <param name="Filter">The topic filter.</param>
/// <param name="ReasonCode">Granted QoS (0, 1, 2) or a failure code of 0x80 or above.</param>
public readonly record struct MqttSubscribeResult(string Filter, MqttReasonCode ReasonCode)
{
    /// <summary>Whether the broker accepted the subscription.</summary>
    public bool IsGranted => (int)ReasonCode < 0x80;

    /// <summary>The QoS the broker granted (may be lower than requested); meaningless when not granted.</summary>
    public MqttQos GrantedQos => IsGranted ? (MqttQos)(int)ReasonCode : MqttQos.AtMostOnce;
}

/// <summary>The outcome of a successful connect.</summary>
/// <param name="SessionPresent">Whether the broker resumed a stored session (persistent sessions only).</param>
public readonly record struct MqttConnectResult(bool SessionPresent);

/// <summary>A connection-state change, raised by <see cref="MqttClient.ConnectionStateChanged"/>.</summary>
public sealed class MqttConnectionEventArgs : EventArgs
{
    internal MqttConnectionEventArgs(MqttConnectionEventKind kind, DateTimeOffset timestamp, int attempt = 0, TimeSpan delay = default, bool sessionPresent = false, MqttException? error = null)
    {
        Kind = kind;
        Timestamp = timestamp;
        Attempt = attempt;
        Delay = delay;
        SessionPresent = sessionPresent;
        Error = error;
    }

    /// <summary>What happened.</summary>
    public MqttConnectionEventKind Kind { get; }

    /// <summary>When it happened (from the client's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>For <see cref="MqttConnectionEventKind.Reconnecting"/>: the attempt number, from 1.</summary>
    public int Attempt { get; }

    /// <summary>For <see cref="MqttConnectionEventKind.Reconnecting"/>: the delay before the attempt (backoff with jitter).</summary>
    public TimeSpan Delay { get; }

    /// <summary>For <see cref="MqttConnectionEventKind.Connected"/>: whether the broker resumed a stored session.</summary>
    public bool SessionPresent { get; }

    /// <summary>For <see cref="MqttConnectionEventKind.Disconnected"/>: why; null after a requested disconnect.</summary>
    public MqttException? Error { get; }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        MqttConnectionEventKind.Connected => $"Connected (session present: {SessionPresent})",
        MqttConnectionEventKind.Reconnecting => $"Reconnecting (attempt {Attempt} after {Delay.TotalMilliseconds:0} ms)",
        _ => $"Disconnected ({Error?.Message ?? "requested"})",
    };
}
