using System.Diagnostics.CodeAnalysis;

namespace Edge.Contracts;

/// <summary>How one message kind travels: its topic segment, record type, direction, QoS and retain flag.</summary>
/// <param name="Kind">The message kind.</param>
/// <param name="Segment">The topic segment naming the kind.</param>
/// <param name="MessageType">The record type carried.</param>
/// <param name="Direction">Who publishes and who subscribes.</param>
/// <param name="Qos">The MQTT QoS to publish and subscribe with.</param>
/// <param name="Retain">Whether the message is published with the retain flag.</param>
/// <param name="HasDevice">Whether the topic ends with a device segment.</param>
public sealed record MessageKindRule(
    MessageKind Kind,
    string Segment,
    Type MessageType,
    MessageDirection Direction,
    int Qos,
    bool Retain,
    bool HasDevice);

/// <summary>
/// The QoS and retain rules of every message kind, as data.
/// </summary>
/// <remarks>
/// <para>Everything is QoS 1: at-least-once delivery, with duplicates removed by the hub on <c>(gatewayId, seq)</c>
/// and by the gateway on <c>commandId</c>. QoS 2 would add a round trip per message and still not give end-to-end
/// safety, which the acknowledgement protocol provides.</para>
/// <para>Streams (readings, scans, ack, cmd) are not retained: a retained reading would be replayed to every new
/// subscriber as if new, and a retained command would fire again at each reconnect.</para>
/// <para>State (birth, death, health, alerts) is retained so that a subscriber that connects later learns the
/// current state at once. Alerts are retained per alert id (the id is the last topic segment), so the set of
/// retained alert topics is the set of alerts not yet cleared; an empty retained payload removes one.</para>
/// </remarks>
public static class MessageKindRules
{
    private static readonly MessageKindRule[] s_rules =
    [
        new(MessageKind.Readings, "readings", typeof(ReadingBatch), MessageDirection.GatewayToHub, 1, false, false),
        new(MessageKind.Scans, "scans", typeof(ScanEvent), MessageDirection.GatewayToHub, 1, false, false),
        new(MessageKind.Birth, "birth", typeof(GatewayBirth), MessageDirection.GatewayToHub, 1, true, false),
        new(MessageKind.Death, "death", typeof(GatewayDeath), MessageDirection.GatewayToHub, 1, true, false),
        new(MessageKind.Health, "health", typeof(DeviceHealth), MessageDirection.GatewayToHub, 1, true, true),
        new(MessageKind.Ack, "ack", typeof(Acknowledgement), MessageDirection.HubToGateway, 1, false, false),
        new(MessageKind.Command, "cmd", typeof(Command), MessageDirection.HubToGateway, 1, false, true),
        new(MessageKind.Alert, "alerts", typeof(Alert), MessageDirection.HubToSubscribers, 1, true, false),
    ];

    /// <summary>All rules, one per <see cref="MessageKind"/>, in enum order.</summary>
    public static IReadOnlyList<MessageKindRule> All => s_rules;

    /// <summary>The rule of <paramref name="kind"/>.</summary>
    /// <param name="kind">A message kind.</param>
    /// <returns>Its rule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is not a defined kind.</exception>
    public static MessageKindRule Get(MessageKind kind)
    {
        var index = (int)kind;
        if ((uint)index >= (uint)s_rules.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown message kind.");
        }

        return s_rules[index];
    }

    /// <summary>Finds the rule whose topic segment is <paramref name="segment"/> (ordinal, case-sensitive).</summary>
    /// <param name="segment">A topic segment such as <c>readings</c>.</param>
    /// <param name="rule">The rule found.</param>
    /// <returns><see langword="true"/> when a kind uses that segment.</returns>
    public static bool TryGetBySegment(string segment, [NotNullWhen(true)] out MessageKindRule? rule)
    {
        foreach (var candidate in s_rules)
        {
            if (string.Equals(candidate.Segment, segment, StringComparison.Ordinal))
            {
                rule = candidate;
                return true;
            }
        }

        rule = null;
        return false;
    }

    /// <summary>Finds the rule whose record type is <paramref name="messageType"/>.</summary>
    /// <param name="messageType">A message record type such as <see cref="ReadingBatch"/>.</param>
    /// <param name="rule">The rule found.</param>
    /// <returns><see langword="true"/> when the type is a contract message.</returns>
    public static bool TryGetByType(Type messageType, [NotNullWhen(true)] out MessageKindRule? rule)
    {
        foreach (var candidate in s_rules)
        {
            if (candidate.MessageType == messageType)
            {
                rule = candidate;
                return true;
            }
        }

        rule = null;
        return false;
    }

    /// <summary>Tells whether <paramref name="value"/> is the topic segment of some message kind.</summary>
    /// <param name="value">A candidate id.</param>
    /// <returns><see langword="true"/> for <c>readings</c>, <c>scans</c>, <c>birth</c>, <c>death</c>, <c>health</c>, <c>ack</c>, <c>cmd</c>, <c>alerts</c>.</returns>
    public static bool IsKindSegment(string value) => TryGetBySegment(value, out _);
}
