using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// The envelope every gateway-to-hub message carries: <c>schema</c>, <c>gatewayId</c>, <c>seq</c>, <c>ts</c>,
/// <c>clockSynced</c> and <c>replay</c>.
/// </summary>
/// <remarks>
/// Each gateway has one sequence counter, starting at 1, that numbers every reading and every scan it accepts;
/// <c>(gatewayId, seq)</c> is the hub's idempotency key. A <see cref="ReadingBatch"/> carries the highest reading
/// seq in it; a <see cref="ScanEvent"/> carries the scan's own seq; birth, death and health carry the latest seq
/// assigned at that moment as a high-water mark that consumes no number (0 before the first reading).
/// </remarks>
public abstract record GatewayMessage : IContractMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public abstract MessageKind Kind { get; }

    /// <inheritdoc/>
    [JsonRequired]
    [JsonPropertyOrder(-10)]
    public string Schema { get; init; } = ContractInfo.SchemaVersion;

    /// <summary>The sending gateway's id; equals the gateway segment of the topic.</summary>
    [JsonPropertyOrder(-9)]
    public required string GatewayId { get; init; }

    /// <summary>The message's sequence number; see the remarks of <see cref="GatewayMessage"/> for each kind.</summary>
    [JsonPropertyOrder(-8)]
    public required long Seq { get; init; }

    /// <summary>When the gateway built this message (for a scan: when the code was read), UTC.</summary>
    [JsonPropertyOrder(-7)]
    public required DateTimeOffset Ts { get; init; }

    /// <summary>Whether the gateway's clock was synchronised (NTP/chrony) when the timestamps were taken.</summary>
    [JsonPropertyOrder(-6)]
    public required bool ClockSynced { get; init; }

    /// <summary>Whether this is backlog being resent from the gateway's outbox after no acknowledgement came.</summary>
    [JsonRequired]
    [JsonPropertyOrder(-5)]
    public bool Replay { get; init; }
}
