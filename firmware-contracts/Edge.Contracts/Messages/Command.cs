using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Hub → gateway on <c>edge/v1/{site}/{area}/{gateway}/cmd/{device}</c>: act on a device output. The gateway
/// drops a command it receives after <see cref="ExpiresAt"/> and executes a <see cref="CommandId"/> at most once.
/// </summary>
public sealed record Command : IContractMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public MessageKind Kind => MessageKind.Command;

    /// <inheritdoc/>
    [JsonRequired]
    public string Schema { get; init; } = ContractInfo.SchemaVersion;

    /// <summary>Unique id of this command (an id: 1–64 of <c>[A-Za-z0-9_.-]</c>).</summary>
    public required string CommandId { get; init; }

    /// <summary>The target gateway; equals the gateway segment of the topic.</summary>
    public required string GatewayId { get; init; }

    /// <summary>The target device; equals the device segment of the topic.</summary>
    public required string Device { get; init; }

    /// <summary>What to do.</summary>
    public required CommandAction Action { get; init; }

    /// <summary>The value for the action.</summary>
    public required OutputValue Value { get; init; }

    /// <summary>How long a pulse lasts in seconds; required for <see cref="OutputValue.Pulse"/>, absent otherwise.</summary>
    public double? DurationS { get; init; }

    /// <summary>When the hub issued the command, UTC.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>After this instant the command must not be executed; later than <see cref="IssuedAt"/> by at most 24 h.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Tells whether the command has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when <paramref name="now"/> is at or after <see cref="ExpiresAt"/>.</returns>
    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;
}
