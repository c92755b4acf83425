using Edge.Hub.Influx;
using Microsoft.Data.Sqlite;

namespace Edge.Hub.State;

/// <summary>
/// The hub's durable state: acknowledgement watermarks (the de-duplication that survives restarts), the gateway and
/// device roster, scans, latest values, counter totals and dead letters. SQLite by default (<see cref="SqliteStateStore"/>).
/// </summary>
/// <remarks>
/// <para><b>Concurrency contract.</b> Every member is thread-safe. Writes are serialized on one connection; reads use
/// their own connections and see the last committed state (WAL), so the HTTP API never waits for ingest.</para>
/// <para>Members are synchronous: SQLite does its I/O on the calling thread whatever the API looks like, so callers
/// that must not block (the MQTT consumer) hand work to a task of their own instead.</para>
/// <para>As an <see cref="IDeadLetterSink"/> it stores the lines InfluxDB refused before the writer settles them.</para>
/// </remarks>
internal interface IStateStore : IDeadLetterSink, IDisposable
{
    /// <summary>Whether <see cref="Open"/> succeeded and the store is not disposed.</summary>
    bool IsOpen { get; }

    /// <summary>The schema version after <see cref="Open"/>.</summary>
    int SchemaVersion { get; }

    /// <summary>Opens the database, creating it if needed, and applies pending migrations.</summary>
    /// <exception cref="StateStoreException">The file cannot be opened, is newer than this build, or a migration failed.</exception>
    void Open();

    /// <summary>Whether a trivial query succeeds now (for readiness).</summary>
    /// <returns><see langword="true"/> when the store answers.</returns>
    bool Ping();

    /// <summary>Every gateway's acknowledgement state.</summary>
    /// <returns>The states.</returns>
    IReadOnlyList<StoredAckState> LoadAckStates();

    /// <summary>The roster as last recorded.</summary>
    /// <returns>Every gateway the store knows, with its devices.</returns>
    IReadOnlyList<StoredGateway> LoadRoster();

    /// <summary>
    /// Records a batch of work in one transaction: which seqs are stored (checked again inside the transaction, so a
    /// seq another hub instance stored meanwhile counts as a duplicate), scans, latest values, counter totals and
    /// roster changes.
    /// </summary>
    /// <param name="work">The work, in receipt order.</param>
    /// <param name="now">The commit time.</param>
    /// <returns>Per gateway touched: its state after the commit.</returns>
    /// <exception cref="StateStoreException">The transaction failed and was rolled back.</exception>
    IReadOnlyList<GatewayCommit> Commit(IReadOnlyList<StoreWork> work, DateTimeOffset now);

    /// <summary>
    /// Stores dead letters, evicting the oldest <see cref="DeadLetterKind.Mqtt"/> letters beyond the caps. Letters of
    /// <see cref="DeadLetterKind.Influx"/> are stored whole and never evicted.
    /// </summary>
    /// <param name="letters">The letters.</param>
    /// <exception cref="StateStoreException">The transaction failed and was rolled back.</exception>
    void AddDeadLetters(IReadOnlyList<DeadLetterRecord> letters);

    /// <summary>A page of dead letters, newest first.</summary>
    /// <param name="beforeId">Only letters with a smaller id (the previous page's last id); null for the newest.</param>
    /// <param name="limit">Most letters to return.</param>
    /// <returns>The letters.</returns>
    IReadOnlyList<StoredDeadLetter> GetDeadLetters(long? beforeId, int limit);

    /// <summary>Dead-letter counts.</summary>
    /// <returns>The figures.</returns>
    DeadLetterStats GetDeadLetterStats();

    /// <summary>Deletes every dead letter of one kind (they stay counted in the total).</summary>
    /// <param name="kind">Which letters; the others are left alone.</param>
    /// <returns>How many were deleted.</returns>
    long PurgeDeadLetters(DeadLetterKind kind);

    /// <summary>Latest values, optionally of one gateway and device.</summary>
    /// <param name="gatewayId">Only this gateway, if set.</param>
    /// <param name="device">Only this device, if set.</param>
    /// <returns>The values ordered by gateway, device, channel.</returns>
    IReadOnlyList<LatestReading> GetLatest(string? gatewayId, string? device);

    /// <summary>Counter totals, optionally of one gateway.</summary>
    /// <param name="gatewayId">Only this gateway, if set.</param>
    /// <returns>The totals ordered by gateway, device, channel.</returns>
    IReadOnlyList<CounterTotal> GetCounterTotals(string? gatewayId);

    /// <summary>The declarations of abandoned seqs a gateway made, newest first.</summary>
    /// <param name="gatewayId">The gateway.</param>
    /// <param name="limit">Most declarations to return.</param>
    /// <returns>The declarations; empty for a store that does not record them.</returns>
    IReadOnlyList<StoredAbandonment> GetAbandonments(string gatewayId, int limit) => [];

    /// <summary>A page of scans of one gateway (or all), newest seq first.</summary>
    /// <param name="gatewayId">Only this gateway, if set.</param>
    /// <param name="beforeSeq">Only seqs below this (with a gateway set), for paging.</param>
    /// <param name="limit">Most scans to return.</param>
    /// <returns>The scans.</returns>
    IReadOnlyList<StoredScan> GetScans(string? gatewayId, long? beforeSeq, int limit);
}

/// <summary>The state store failed: the file cannot be opened or written, or its schema is not one this build can use.</summary>
internal sealed class StateStoreException : IOException
{
    /// <summary>Creates the exception.</summary>
    public StateStoreException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public StateStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">SQLite's error.</param>
    public StateStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>SQLite's result code when SQLite reported the failure (e.g. 5 SQLITE_BUSY, 13 SQLITE_FULL).</summary>
    public int? SqliteErrorCode => (InnerException as SqliteException)?.SqliteErrorCode;
}
