namespace Edge.Contracts;

/// <summary>
/// A concrete topic taken apart. Gateway topics fill <see cref="Area"/>, <see cref="Gateway"/> and (for kinds with
/// a device segment) <see cref="Device"/>; alert topics fill <see cref="Level"/> and <see cref="AlertId"/>.
/// </summary>
/// <param name="Kind">The message kind named by the topic.</param>
/// <param name="Site">The site segment.</param>
/// <param name="Area">The area segment (gateway topics).</param>
/// <param name="Gateway">The gateway segment (gateway topics).</param>
/// <param name="Device">The device segment (health and cmd topics).</param>
/// <param name="Level">The alert level segment (alert topics).</param>
/// <param name="AlertId">The alert id segment (alert topics).</param>
public sealed record TopicParts(
    MessageKind Kind,
    string Site,
    string? Area = null,
    string? Gateway = null,
    string? Device = null,
    AlertLevel? Level = null,
    string? AlertId = null)
{
    /// <summary>The QoS and retain rule of the topic's kind.</summary>
    public MessageKindRule Rule => MessageKindRules.Get(Kind);

    /// <summary>Builds the concrete topic back from the parts.</summary>
    /// <returns>The topic.</returns>
    /// <exception cref="InvalidOperationException">A segment the kind needs is missing.</exception>
    public string ToTopic()
    {
        var template = TopicTemplate.For(Kind).WithSite(Site);
        if (Kind == MessageKind.Alert)
        {
            template = Level is { } level ? template.WithLevel(level) : template;
            template = AlertId is null ? template : template.WithAlertId(AlertId);
        }
        else
        {
            template = Area is null ? template : template.WithArea(Area);
            template = Gateway is null ? template : template.WithGateway(Gateway);
            template = Device is null ? template : template.WithDevice(Device);
        }

        return template.ToTopic();
    }
}

/// <summary>Why a topic could not be parsed.</summary>
public enum TopicErrorCode
{
    /// <summary>The topic is null or empty.</summary>
    Empty,

    /// <summary>The topic does not start with <c>edge/</c>.</summary>
    WrongRoot,

    /// <summary>The topic is an <c>edge/vN</c> topic of a major version this library does not read.</summary>
    UnknownVersion,

    /// <summary>The topic has too few or too many segments for its kind.</summary>
    WrongSegmentCount,

    /// <summary>The kind segment is not a known message kind (or not one that travels there).</summary>
    UnknownKind,

    /// <summary>A concrete topic contains <c>+</c> or <c>#</c>.</summary>
    Wildcard,

    /// <summary>A segment is not a valid id, or is a reserved one.</summary>
    InvalidSegment,

    /// <summary>The level segment of an alert topic is not blue, yellow, orange or red.</summary>
    UnknownLevel,
}

/// <summary>A typed topic-parsing failure.</summary>
/// <param name="Code">What is wrong.</param>
/// <param name="Reason">Details for people.</param>
public sealed record TopicError(TopicErrorCode Code, string Reason)
{
    /// <summary>The failure as <c>Code: reason</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Code}: {Reason}";
}
