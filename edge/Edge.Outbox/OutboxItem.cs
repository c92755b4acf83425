namespace Edge.Outbox;

/// <summary>
/// One opaque item a producer hands to the outbox: a reading or a scan, already serialized. The outbox never looks
/// inside <see cref="Payload"/>; it only stores it durably, numbers it and hands it back for sending.
/// </summary>
public sealed class OutboxItem
{
    /// <summary>Longest <see cref="Kind"/> accepted, in characters.</summary>
    public const int MaxKindLength = 64;

    /// <summary>Longest <see cref="DeviceId"/> accepted, in characters.</summary>
    public const int MaxDeviceIdLength = 256;

    /// <summary>Largest <see cref="Payload"/> accepted, in bytes (far above any reading; keeps one batch bounded).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Creates an item.</summary>
    /// <param name="kind">What the payload is, e.g. "reading" or "scan"; the transport uses it to pick a topic.</param>
    /// <param name="deviceId">The device that produced it.</param>
    /// <param name="timestamp">The reading's own time (converted to UTC).</param>
    /// <param name="clockSynced">Whether the system clock was synchronized when <paramref name="timestamp"/> was taken.</param>
    /// <param name="payload">The serialized body; copied by the outbox when it is stored.</param>
    /// <exception cref="ArgumentException">A text is empty or too long, or the payload is too large.</exception>
    public OutboxItem(string kind, string deviceId, DateTimeOffset timestamp, bool clockSynced, ReadOnlyMemory<byte> payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        if (kind.Length > MaxKindLength)
        {
            throw new ArgumentException($"The kind is longer than {MaxKindLength} characters.", nameof(kind));
        }

        if (deviceId.Length > MaxDeviceIdLength)
        {
            throw new ArgumentException($"The device id is longer than {MaxDeviceIdLength} characters.", nameof(deviceId));
        }

        if (payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"The payload has {payload.Length} bytes; at most {MaxPayloadBytes} are accepted.", nameof(payload));
        }

        Kind = kind;
        DeviceId = deviceId;
        Timestamp = timestamp.ToUniversalTime();
        ClockSynced = clockSynced;
        Payload = payload;
    }

    /// <summary>What the payload is, e.g. "reading" or "scan".</summary>
    public string Kind { get; }

    /// <summary>The device that produced the item.</summary>
    public string DeviceId { get; }

    /// <summary>The reading's own time, UTC.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Whether the system clock was synchronized when <see cref="Timestamp"/> was taken.</summary>
    public bool ClockSynced { get; }

    /// <summary>The serialized body.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Creates an item whose clock flag is asked from <paramref name="clock"/> now.</summary>
    /// <param name="kind">What the payload is.</param>
    /// <param name="deviceId">The device that produced it.</param>
    /// <param name="timestamp">The reading's own time.</param>
    /// <param name="payload">The serialized body.</param>
    /// <param name="clock">Where the synchronization state comes from.</param>
    /// <returns>The item.</returns>
    public static OutboxItem Create(string kind, string deviceId, DateTimeOffset timestamp, ReadOnlyMemory<byte> payload, IClockSyncSource clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new OutboxItem(kind, deviceId, timestamp, clock.IsSynchronized, payload);
    }
}
