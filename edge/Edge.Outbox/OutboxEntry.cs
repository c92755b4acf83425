namespace Edge.Outbox;

/// <summary>An item stored in the outbox, with the sequence number it was given when it was committed.</summary>
public sealed class OutboxEntry
{
    internal OutboxEntry(long seq, string kind, string deviceId, DateTimeOffset timestamp, bool clockSynced, DateTimeOffset acceptedAt, byte[] payload)
    {
        Seq = seq;
        Kind = kind;
        DeviceId = deviceId;
        Timestamp = timestamp;
        ClockSynced = clockSynced;
        AcceptedAt = acceptedAt;
        Payload = payload;
    }

    /// <summary>The gateway's sequence number: starts at 1, strictly increasing, never reused.</summary>
    public long Seq { get; }

    /// <summary>What the payload is, e.g. "reading" or "scan".</summary>
    public string Kind { get; }

    /// <summary>The device that produced the item.</summary>
    public string DeviceId { get; }

    /// <summary>The reading's own time, UTC.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Whether the system clock was synchronized when <see cref="Timestamp"/> was taken.</summary>
    public bool ClockSynced { get; }

    /// <summary>When the outbox committed the item (gateway clock, UTC).</summary>
    public DateTimeOffset AcceptedAt { get; }

    /// <summary>The serialized body, exactly as appended.</summary>
    public ReadOnlyMemory<byte> Payload { get; }
}
