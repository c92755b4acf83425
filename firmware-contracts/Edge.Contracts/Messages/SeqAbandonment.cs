using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// A gateway's declaration that the seqs in <see cref="Ranges"/> will never be sent: the items they numbered were lost
/// (an outbox file that became unreadable) or the numbers were never handed out. Carried in
/// <see cref="GatewayBirth.Abandoned"/> until the hub acknowledges the declaration's own <see cref="Seq"/>.
/// </summary>
/// <remarks>
/// <para>The hub counts every declared seq it has not stored as <i>settled without data</i>: its acknowledgement
/// watermark moves past them, so the gateway can trim what follows, and the loss is recorded and reported. A declared
/// seq the hub has stored stays stored; one that still arrives later is stored once, like any other.</para>
/// <para>Declaring is idempotent: the same declaration received twice, or ranges declared again, change nothing.</para>
/// </remarks>
public sealed record SeqAbandonment
{
    /// <summary>Reason: the outbox file holding the items was corrupt; the seqs may have carried readings (money may be lost).</summary>
    public const string OutboxCorrupt = "outbox-corrupt";

    /// <summary>Reason: the seqs were reserved by the gateway's counter but never given to an item; nothing is lost.</summary>
    public const string NeverAssigned = "never-assigned";

    /// <summary>
    /// The declaration's own seq from the gateway's counter (it consumes a number, like a scan). The hub acknowledges
    /// it like a reading once it has recorded the declaration; every seq in <see cref="Ranges"/> is below it.
    /// </summary>
    [JsonPropertyOrder(-5)]
    public required long Seq { get; init; }

    /// <summary>
    /// Why, as an id (1–64 of <c>[A-Za-z0-9_.-]</c>): <see cref="OutboxCorrupt"/> or <see cref="NeverAssigned"/>; newer
    /// minor versions may add reasons, and a reader treats one it does not know like <see cref="OutboxCorrupt"/>.
    /// </summary>
    [JsonPropertyOrder(-4)]
    public required string Reason { get; init; }

    /// <summary>
    /// The abandoned seqs as inclusive ranges, 1 to <see cref="ContractLimits.MaxAbandonedRanges"/>, ascending, not
    /// overlapping, all below <see cref="Seq"/>.
    /// </summary>
    [JsonPropertyOrder(-3)]
    public required IReadOnlyList<SeqRange> Ranges { get; init; }

    /// <summary>When the gateway made the declaration, UTC.</summary>
    [JsonPropertyOrder(-2)]
    public required DateTimeOffset Ts { get; init; }

    /// <summary>For people: where the seqs were lost (the moved-aside file) and what could be salvaged.</summary>
    public string? Note { get; init; }

    /// <summary>Tells whether <paramref name="seq"/> is declared abandoned here.</summary>
    /// <param name="seq">A sequence number.</param>
    /// <returns><see langword="true"/> when a range holds it.</returns>
    public bool Covers(long seq)
    {
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

    /// <summary>How many seqs the ranges name.</summary>
    /// <returns>The sum of the ranges' lengths.</returns>
    public long CountSeqs()
    {
        long count = 0;
        foreach (var range in Ranges)
        {
            count += range.To - range.From + 1;
        }

        return count;
    }
}
