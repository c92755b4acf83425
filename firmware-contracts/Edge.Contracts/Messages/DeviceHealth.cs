using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>The health of one device, as listed in a <see cref="GatewayBirth"/>.</summary>
public sealed record DeviceStatus
{
    /// <summary>The device id as configured on the gateway.</summary>
    public required string Device { get; init; }

    /// <summary>The device's state.</summary>
    public required DeviceState State { get; init; }

    /// <summary>When the last good value was read, UTC; absent if none since the gateway started.</summary>
    public DateTimeOffset? LastGoodReadAt { get; init; }

    /// <summary>Failed reads since the gateway started.</summary>
    public required long ErrorCount { get; init; }

    /// <summary>The last error or a remark, for people.</summary>
    public string? Message { get; init; }
}

/// <summary>
/// Gateway → hub on <c>edge/v1/{site}/{area}/{gateway}/health/{device}</c> (retained): one device's health, sent
/// when it changes and periodically.
/// </summary>
public sealed record DeviceHealth : GatewayMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override MessageKind Kind => MessageKind.Health;

    /// <summary>The device id; equals the device segment of the topic.</summary>
    public required string Device { get; init; }

    /// <summary>The device's state.</summary>
    public required DeviceState State { get; init; }

    /// <summary>When the last good value was read, UTC; absent if none since the gateway started.</summary>
    public DateTimeOffset? LastGoodReadAt { get; init; }

    /// <summary>Failed reads since the gateway started.</summary>
    public required long ErrorCount { get; init; }

    /// <summary>The last error or a remark, for people.</summary>
    public string? Message { get; init; }
}
