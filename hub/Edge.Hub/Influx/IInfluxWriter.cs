using System.Diagnostics.CodeAnalysis;

namespace Edge.Hub.Influx;

/// <summary>
/// Writes points to InfluxDB and says, per enqueued group, when every point is stored or set aside — the signal the
/// ingest waits for before it acknowledges readings to a gateway.
/// </summary>
/// <remarks>
/// <para><b>Concurrency contract.</b> Every member is thread-safe. Groups are admitted in call order (a group that
/// waits for room holds back later ones, so a large group is not starved) and sent in admission order.</para>
/// <para><b>Two tasks per group.</b> Awaiting <see cref="EnqueueAsync(IReadOnlyList{InfluxPoint}, string?, CancellationToken)"/>
/// waits for room in the bounded queue (backpressure); the task it returns completes once every point of the
/// group is either written (InfluxDB answered 2xx for a request that carried it) or dead-lettered and the
/// <see cref="IDeadLetterSink"/> stored it. That task never faults. It is <b>cancelled</b> when the writer stops
/// before the group is settled: the caller must then not acknowledge, and the gateway's replay will bring the
/// readings back (writing them twice is harmless: same series and timestamp overwrite).</para>
/// </remarks>
internal interface IInfluxWriter
{
    /// <summary>The writer's health; see also <see cref="StatusChanged"/>.</summary>
    InfluxWriterStatus Status { get; }

    /// <summary>Raised, on the writer's own task, when the state or alarm changes. Handlers must return quickly.</summary>
    event EventHandler<InfluxWriterStatus>? StatusChanged;

    /// <summary>Adds a group of points, waiting while the queue is full.</summary>
    /// <param name="points">One or more points; a point line protocol cannot carry is dead-lettered, not thrown.</param>
    /// <param name="origin">Where the points came from (e.g. <c>gw-01 seq 1200-1299</c>), copied into their dead letters.</param>
    /// <param name="cancellationToken">Stops waiting for room; has no effect once the group is admitted.</param>
    /// <returns>Once admitted: the task that completes when the group is settled.</returns>
    /// <exception cref="ArgumentException">The group is empty or larger than the whole queue.</exception>
    /// <exception cref="InvalidOperationException">The writer is stopping or stopped.</exception>
    ValueTask<Task<InfluxWriteResult>> EnqueueAsync(IReadOnlyList<InfluxPoint> points, string? origin = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a group of lines formatted already (the ingest's path: <see cref="InfluxSchema.AppendLine"/> writes them
    /// without building points), waiting while the queue is full. Otherwise as
    /// <see cref="EnqueueAsync(IReadOnlyList{InfluxPoint}, string?, CancellationToken)"/>: a rejected line is
    /// dead-lettered, and the returned task says when the group is settled.
    /// </summary>
    /// <param name="lines">One or more lines.</param>
    /// <param name="origin">Where the lines came from, copied into their dead letters.</param>
    /// <param name="cancellationToken">Stops waiting for room; has no effect once the group is admitted.</param>
    /// <returns>Once admitted: the task that completes when the group is settled.</returns>
    /// <exception cref="ArgumentException">The group is empty or larger than the whole queue.</exception>
    /// <exception cref="InvalidOperationException">The writer is stopping or stopped.</exception>
    ValueTask<Task<InfluxWriteResult>> EnqueueAsync(InfluxLines lines, string? origin = null, CancellationToken cancellationToken = default);

    /// <summary>Adds one point, waiting while the queue is full.</summary>
    /// <param name="point">The point.</param>
    /// <param name="origin">Where it came from, for its dead letter.</param>
    /// <param name="cancellationToken">Stops waiting for room.</param>
    /// <returns>Once admitted: the task that completes when the point is settled.</returns>
    ValueTask<Task<InfluxWriteResult>> EnqueueAsync(InfluxPoint point, string? origin = null, CancellationToken cancellationToken = default);

    /// <summary>Adds a group of points if there is room now.</summary>
    /// <param name="points">One or more points.</param>
    /// <param name="origin">Where they came from, for their dead letters.</param>
    /// <param name="completion">The task that completes when the group is settled; <see langword="null"/> when full.</param>
    /// <returns><see langword="false"/> when the queue has no room for the whole group (or others are waiting).</returns>
    bool TryEnqueue(IReadOnlyList<InfluxPoint> points, string? origin, [NotNullWhen(true)] out Task<InfluxWriteResult>? completion);

    /// <summary>Adds a group of formatted lines if there is room now.</summary>
    /// <param name="lines">One or more lines.</param>
    /// <param name="origin">Where they came from, for their dead letters.</param>
    /// <param name="completion">The task that completes when the group is settled; <see langword="null"/> when full.</param>
    /// <returns><see langword="false"/> when the queue has no room for the whole group (or others are waiting).</returns>
    bool TryEnqueue(InfluxLines lines, string? origin, [NotNullWhen(true)] out Task<InfluxWriteResult>? completion);

    /// <summary>Sends what is queued without waiting for the batch interval, and waits until it is settled.</summary>
    /// <param name="cancellationToken">Stops waiting (the lines stay queued).</param>
    /// <returns>A task that completes when every group admitted before the call is settled.</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
