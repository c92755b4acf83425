using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Gateway → hub on <c>edge/v1/{site}/{area}/{gateway}/birth</c> (retained), published right after each connect.
/// </summary>
/// <remarks>
/// A gateway is online while its retained birth has a greater <see cref="Session"/> than its retained death
/// (or there is no death). <see cref="GatewayMessage.Seq"/> is the latest seq assigned (0 if none yet).
/// Since 1.1 a birth may also carry <see cref="Abandoned"/> declarations, and is then published again within the same
/// session (a new birth with an unchanged <see cref="Session"/> is the same connection).
/// </remarks>
public sealed record GatewayBirth : GatewayMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override MessageKind Kind => MessageKind.Birth;

    /// <summary>
    /// The connection number, ≥ 1, greater at every connect (a persisted counter, or the Unix time of the connect);
    /// the Last Will registered at the same connect carries the same number.
    /// </summary>
    public required long Session { get; init; }

    /// <summary>The gateway software's version, for people.</summary>
    public string? SoftwareVersion { get; init; }

    /// <summary>Every configured device with its health (at most <see cref="ContractLimits.MaxDevicesPerBirth"/>, ids unique).</summary>
    public required IReadOnlyList<DeviceStatus> Devices { get; init; }

    /// <summary>
    /// Since 1.1: the gateway's declarations of abandoned seqs that the hub has not acknowledged yet (at most
    /// <see cref="ContractLimits.MaxAbandonmentsPerBirth"/>, ascending by their own seq, each at most
    /// <see cref="GatewayMessage.Seq"/>); absent when there are none. A gateway publishes a birth again, with the same
    /// session, when it makes a declaration, and repeats it until the acknowledgement covers the declaration's seq.
    /// Such a birth states <see cref="ContractInfo.LatestSchemaVersion"/> in <see cref="GatewayMessage.Schema"/>.
    /// </summary>
    public IReadOnlyList<SeqAbandonment>? Abandoned { get; init; }
}

/// <summary>
/// Gateway → hub on <c>edge/v1/{site}/{area}/{gateway}/death</c> (retained): registered as the MQTT Last Will at
/// connect, or published by the gateway itself before a clean shutdown.
/// </summary>
/// <remarks>
/// A Last Will's payload is fixed at connect, so its <see cref="GatewayMessage.Ts"/> and
/// <see cref="GatewayMessage.Seq"/> are those of the connect; the hub takes the time it received it as the time the
/// gateway was lost.
/// </remarks>
public sealed record GatewayDeath : GatewayMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override MessageKind Kind => MessageKind.Death;

    /// <summary>The session this death ends; equals the <see cref="GatewayBirth.Session"/> of the same connect.</summary>
    public required long Session { get; init; }

    /// <summary><see langword="true"/> for a clean shutdown published by the gateway, <see langword="false"/> for the Last Will.</summary>
    public required bool Graceful { get; init; }
}
