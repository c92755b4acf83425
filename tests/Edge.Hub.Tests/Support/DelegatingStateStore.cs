using Edge.Hub.Influx;
using Edge.Hub.State;

namespace Edge.Hub.Tests.Support;

/// <summary>A real store behind the hub's interface; a test overrides the one member that should fail as a bug or a broken disk would.</summary>
internal abstract class DelegatingStateStore(IStateStore inner) : IStateStore
{
    public virtual bool IsOpen => inner.IsOpen;

    public virtual int SchemaVersion => inner.SchemaVersion;

    public virtual void Open() => inner.Open();

    public virtual bool Ping() => inner.Ping();

    public virtual IReadOnlyList<StoredAckState> LoadAckStates() => inner.LoadAckStates();

    public virtual IReadOnlyList<StoredGateway> LoadRoster() => inner.LoadRoster();

    public virtual IReadOnlyList<GatewayCommit> Commit(IReadOnlyList<StoreWork> work, DateTimeOffset now) => inner.Commit(work, now);

    public virtual void AddDeadLetters(IReadOnlyList<DeadLetterRecord> letters) => inner.AddDeadLetters(letters);

    public virtual ValueTask AddAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken) => inner.AddAsync(letters, cancellationToken);

    public virtual IReadOnlyList<StoredDeadLetter> GetDeadLetters(long? beforeId, int limit) => inner.GetDeadLetters(beforeId, limit);

    public virtual DeadLetterStats GetDeadLetterStats() => inner.GetDeadLetterStats();

    public virtual long PurgeDeadLetters(DeadLetterKind kind) => inner.PurgeDeadLetters(kind);

    public virtual IReadOnlyList<StoredAbandonment> GetAbandonments(string gatewayId, int limit) => inner.GetAbandonments(gatewayId, limit);

    public virtual IReadOnlyList<LatestReading> GetLatest(string? gatewayId, string? device) => inner.GetLatest(gatewayId, device);

    public virtual IReadOnlyList<CounterTotal> GetCounterTotals(string? gatewayId) => inner.GetCounterTotals(gatewayId);

    public virtual IReadOnlyList<StoredScan> GetScans(string? gatewayId, long? beforeSeq, int limit) => inner.GetScans(gatewayId, beforeSeq, limit);

    public virtual void Dispose() => inner.Dispose();
}
