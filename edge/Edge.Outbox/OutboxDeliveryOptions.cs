namespace Edge.Outbox;

/// <summary>How the dispatcher sends and resends (configuration section <c>Outbox:Delivery</c>).</summary>
public sealed class OutboxDeliveryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Outbox:Delivery";

    /// <summary>An item sent and not acknowledged by the hub within this time is sent again, marked replay.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Backlog replay rate (items per second); live items are never limited.</summary>
    public double BacklogItemsPerSecond { get; set; } = 200;

    /// <summary>Token-bucket depth for the backlog: how many items may go at once after an idle spell.</summary>
    public int BacklogBurst { get; set; } = 200;

    /// <summary>Most items handed to the transport in one call.</summary>
    public int MaxPublishBatch { get; set; } = 500;

    /// <summary>Most items sent and awaiting the hub's acknowledgement, per lane (live and backlog each).</summary>
    public int MaxInFlight { get; set; } = 20_000;

    /// <summary>First wait after a failed publish; doubles per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait after failed publishes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
