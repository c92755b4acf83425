namespace Edge.Outbox;

/// <summary>Tells whether the system clock is synchronized, so readings taken on a free-running clock are flagged.</summary>
public interface IClockSyncSource
{
    /// <summary>Whether the system clock is synchronized now (cheap: implementations cache).</summary>
    bool IsSynchronized { get; }
}
