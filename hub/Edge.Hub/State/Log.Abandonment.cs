namespace Edge.Hub;

/// <summary>
/// The state store's lines about abandoned seqs, next to its other lines (51300–51399); written once the transaction that
/// recorded them committed.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(51310, LogLevel.Error, "Gateway {Gateway} declared seqs abandoned ({Reason}, declaration seq {Seq}): {Abandoned} of the {Declared} seqs named were not stored and are now settled WITHOUT data. Readings, weighing tickets among them, may be lost: check the gateway's moved-aside outbox file. Ranges {Ranges}. {Note}")]
    public static partial void SeqsDeclaredLost(ILogger logger, string gateway, long seq, string reason, long abandoned, long declared, string ranges, string note);

    [LoggerMessage(51311, LogLevel.Warning, "Gateway {Gateway} declared {Declared} seqs never assigned (declaration seq {Seq}, ranges {Ranges}): {Abandoned} settled without data; nothing was lost")]
    public static partial void SeqsDeclaredNeverAssigned(ILogger logger, string gateway, long seq, long declared, long abandoned, string ranges);

    [LoggerMessage(51312, LogLevel.Warning, "Gateway {Gateway}: {Count} seqs settled as abandoned arrived after all and were stored, once")]
    public static partial void AbandonedSeqsRecovered(ILogger logger, string gateway, long count);
}
