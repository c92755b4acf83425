namespace Edge.Contracts;

/// <summary>The kinds of message; each travels on its own topic segment (see <see cref="MessageKindRules"/>).</summary>
public enum MessageKind
{
    /// <summary>A <see cref="ReadingBatch"/>, gateway → hub, segment <c>readings</c>.</summary>
    Readings,

    /// <summary>A <see cref="ScanEvent"/>, gateway → hub, segment <c>scans</c>.</summary>
    Scans,

    /// <summary>A <see cref="GatewayBirth"/>, gateway → hub, segment <c>birth</c>.</summary>
    Birth,

    /// <summary>A <see cref="GatewayDeath"/>, gateway → hub (Last Will), segment <c>death</c>.</summary>
    Death,

    /// <summary>A <see cref="DeviceHealth"/>, gateway → hub, segment <c>health</c>, per device.</summary>
    Health,

    /// <summary>An <see cref="Acknowledgement"/>, hub → gateway, segment <c>ack</c>.</summary>
    Ack,

    /// <summary>A <see cref="Command"/>, hub → gateway, segment <c>cmd</c>, per device.</summary>
    Command,

    /// <summary>An <see cref="Alert"/>, hub → subscribers, segment <c>alerts</c> under the site.</summary>
    Alert,
}

/// <summary>Who publishes a message kind and who consumes it.</summary>
public enum MessageDirection
{
    /// <summary>A gateway publishes; the hub subscribes.</summary>
    GatewayToHub,

    /// <summary>The hub publishes; one gateway subscribes.</summary>
    HubToGateway,

    /// <summary>The hub publishes; any authorised client (wall screens, stack-light controllers, bots) subscribes.</summary>
    HubToSubscribers,
}
