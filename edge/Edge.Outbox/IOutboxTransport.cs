namespace Edge.Outbox;

/// <summary>
/// What the dispatcher publishes through; the gateway implements it over MQTT. The dispatcher calls it from one
/// task at a time (never concurrently), in seq order within each call.
/// </summary>
public interface IOutboxTransport
{
    /// <summary>
    /// Publishes <paramref name="batch"/> and returns when the broker has taken every entry (e.g. QoS 1 PUBACK). That
    /// is NOT the hub's acknowledgement: entries stay in the outbox until <see cref="OutboxDispatcher.AcknowledgeAsync"/>
    /// covers them. Throwing means "some may not have gone out": the dispatcher resends them later, marked replay.
    /// </summary>
    /// <param name="batch">Entries in ascending seq order.</param>
    /// <param name="replay">Whether the hub may have seen these seqs before (resend, backlog after an outage, restart).</param>
    /// <param name="cancellationToken">Cancelled when the dispatcher stops.</param>
    /// <returns>A task that completes when the broker accepted the batch.</returns>
    Task PublishAsync(IReadOnlyList<OutboxEntry> batch, bool replay, CancellationToken cancellationToken);
}
