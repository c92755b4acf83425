namespace Edge.Hub.Influx;

/// <summary>A line InfluxDB refused for good (or the writer could not format), kept with the reason.</summary>
/// <param name="Line">The line as sent (or, for a point that could not be formatted, a readable description of it).</param>
/// <param name="Reason">Why: InfluxDB's own message where it gave one, prefixed with the HTTP status.</param>
/// <param name="StatusCode">The HTTP status that condemned the line; <see langword="null"/> when the writer refused it before sending.</param>
/// <param name="At">When the writer set it aside.</param>
/// <param name="Origin">What the caller said the points came from when it enqueued them (e.g. gateway and seq range).</param>
internal sealed record DeadLetter(string Line, string Reason, int? StatusCode, DateTimeOffset At, string? Origin);

/// <summary>Where the writer sets aside lines InfluxDB will never take. The hub's state store implements it.</summary>
/// <remarks>
/// The writer completes the enqueue tasks of dead-lettered points only after <see cref="AddAsync"/> returned, and the
/// ingest acknowledges them to the gateway then, so an implementation must have stored the letters durably when its
/// task completes. If it throws, the writer retries with backoff and keeps the points pending. A letter can arrive a
/// second time (the hub stopped after storing it but before the gateway got its acknowledgement, and the gateway
/// replayed), so an implementation should tolerate duplicates.
/// </remarks>
internal interface IDeadLetterSink
{
    /// <summary>Stores letters durably.</summary>
    /// <param name="letters">The letters, one per refused line.</param>
    /// <param name="cancellationToken">Cancelled when the writer stops.</param>
    /// <returns>A task that completes when the letters are stored.</returns>
    ValueTask AddAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken);
}

/// <summary>An <see cref="IDeadLetterSink"/> in memory, for tests and for tools that only watch.</summary>
internal sealed class InMemoryDeadLetterSink : IDeadLetterSink
{
    private readonly Lock _gate = new();
    private readonly List<DeadLetter> _letters = [];

    /// <summary>A copy of the letters received so far, in arrival order.</summary>
    public IReadOnlyList<DeadLetter> Letters
    {
        get
        {
            lock (_gate)
            {
                return [.. _letters];
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask AddAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        lock (_gate)
        {
            _letters.AddRange(letters);
        }

        return ValueTask.CompletedTask;
    }
}
