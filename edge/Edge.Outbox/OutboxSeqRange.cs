namespace Edge.Outbox;

/// <summary>An inclusive range of sequence numbers the hub has stored above its watermark.</summary>
/// <param name="From">The first seq in the range (≥ 1).</param>
/// <param name="To">The last seq in the range (≥ <paramref name="From"/>).</param>
public readonly record struct OutboxSeqRange(long From, long To)
{
    /// <summary>Whether <paramref name="seq"/> lies in the range.</summary>
    /// <param name="seq">A sequence number.</param>
    /// <returns><see langword="true"/> when From ≤ seq ≤ To.</returns>
    public bool Contains(long seq) => seq >= From && seq <= To;
}
