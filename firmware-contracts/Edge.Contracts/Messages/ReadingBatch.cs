using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Gateway → hub on <c>edge/v1/{site}/{area}/{gateway}/readings</c>: many readings from the gateway's devices.
/// </summary>
/// <remarks>
/// Reading seqs are strictly increasing within a batch (not necessarily contiguous: scans take numbers from the
/// same counter) and the envelope <see cref="GatewayMessage.Seq"/> equals the last, highest one.
/// </remarks>
public sealed record ReadingBatch : GatewayMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override MessageKind Kind => MessageKind.Readings;

    /// <summary>The readings, 1 to <see cref="ContractLimits.MaxReadingsPerBatch"/>, ascending by seq.</summary>
    public required IReadOnlyList<Reading> Readings { get; init; }
}
