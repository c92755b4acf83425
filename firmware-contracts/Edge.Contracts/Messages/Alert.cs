using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Hub → subscribers on <c>edge/v1/{site}/alerts/{level}/{alertId}</c> (retained): the current state of one
/// early-warning alert.
/// </summary>
public sealed record Alert : IContractMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public MessageKind Kind => MessageKind.Alert;

    /// <inheritdoc/>
    [JsonRequired]
    public string Schema { get; init; } = ContractInfo.SchemaVersion;

    /// <summary>Unique id of the alert; equals the last topic segment and may not be a message-kind segment name.</summary>
    public required string AlertId { get; init; }

    /// <summary>The site the alert belongs to; equals the site segment of the topic.</summary>
    public required string Site { get; init; }

    /// <summary>The warning level; equals the level segment of the topic.</summary>
    public required AlertLevel Level { get; init; }

    /// <summary>The indicator that tripped, an id such as <c>inventory.days-of-cover</c>.</summary>
    public required string Indicator { get; init; }

    /// <summary>What the alert is about, e.g. a material, a supplier or a line (free text, for people).</summary>
    public required string Subject { get; init; }

    /// <summary>The explanation, for people.</summary>
    public required string Message { get; init; }

    /// <summary>The indicator's value that tripped the threshold.</summary>
    public required double Value { get; init; }

    /// <summary>The threshold that was crossed.</summary>
    public required double Threshold { get; init; }

    /// <summary>The unit of <see cref="Value"/> and <see cref="Threshold"/>, when they have one.</summary>
    public string? Unit { get; init; }

    /// <summary>The alert's life-cycle state.</summary>
    public required AlertState State { get; init; }

    /// <summary>When the alert was first raised, UTC.</summary>
    public required DateTimeOffset RaisedAt { get; init; }

    /// <summary>When this state was published, UTC.</summary>
    public required DateTimeOffset Ts { get; init; }
}
