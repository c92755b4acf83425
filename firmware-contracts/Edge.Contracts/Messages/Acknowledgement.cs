using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Hub → gateway on <c>edge/v1/{site}/{area}/{gateway}/ack</c>: which sequence numbers the hub has stored for
/// good (InfluxDB answered 204 and the hub's state store committed). The gateway deletes exactly those from its
/// outbox.
/// </summary>
public sealed record Acknowledgement : IContractMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public MessageKind Kind => MessageKind.Ack;

    /// <inheritdoc/>
    [JsonRequired]
    public string Schema { get; init; } = ContractInfo.SchemaVersion;

    /// <summary>The gateway the acknowledgement is for; equals the gateway segment of the topic.</summary>
    public required string GatewayId { get; init; }

    /// <summary>The watermark: every seq ≤ this is stored (0: none yet).</summary>
    public required long StoredThrough { get; init; }

    /// <summary>
    /// Stored seqs above the watermark as inclusive ranges, ascending, not overlapping, each starting above
    /// <see cref="StoredThrough"/>; absent when there are none.
    /// </summary>
    public IReadOnlyList<SeqRange>? Ranges { get; init; }

    /// <summary>When the hub sent it, UTC.</summary>
    public required DateTimeOffset Ts { get; init; }

    /// <summary>Tells whether this acknowledgement covers <paramref name="seq"/>.</summary>
    /// <param name="seq">A sequence number.</param>
    /// <returns><see langword="true"/> when the hub has stored <paramref name="seq"/>.</returns>
    public bool IsStored(long seq)
    {
        if (seq <= StoredThrough)
        {
            return seq >= 1;
        }

        if (Ranges is null)
        {
            return false;
        }

        foreach (var range in Ranges)
        {
            if (seq < range.From)
            {
                return false;
            }

            if (seq <= range.To)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>An inclusive range of sequence numbers.</summary>
public sealed record SeqRange
{
    /// <summary>The first seq in the range.</summary>
    public required long From { get; init; }

    /// <summary>The last seq in the range (≥ <see cref="From"/>).</summary>
    public required long To { get; init; }
}
