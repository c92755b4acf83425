using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Edge.Contracts;

/// <summary>
/// The ISA-95-style topic scheme of one message kind, with some segments fixed. It yields the concrete topic once
/// every segment is set, and a subscription filter at any time (<c>+</c> for each unset segment).
/// </summary>
/// <remarks>
/// <para>Gateway kinds: <c>edge/v1/{site}/{area}/{gateway}/{kind}</c>, and
/// <c>edge/v1/{site}/{area}/{gateway}/{kind}/{device}</c> for <c>health</c> and <c>cmd</c>.</para>
/// <para>Alerts: <c>edge/v1/{site}/alerts/{level}/{alertId}</c>. So that no topic has two readings, the area id
/// <c>alerts</c> is reserved, and an alert id may not be a kind segment name (else a hub subscription such as
/// <c>edge/v1/+/+/+/readings</c> would also match the alert <c>edge/v1/s/alerts/red/readings</c>).</para>
/// <para>Instances are immutable; the <c>With…</c> methods return new templates and validate each id.</para>
/// </remarks>
public sealed class TopicTemplate
{
    /// <summary>The area segment reserved for alert topics.</summary>
    public const string AlertsSegment = "alerts";

    private const string SingleLevelWildcard = "+";
    private const string MultiLevelWildcard = "#";

    private TopicTemplate(MessageKind kind)
    {
        Rule = MessageKindRules.Get(kind);
    }

    /// <summary>The rule (segment, QoS, retain) of the template's kind.</summary>
    public MessageKindRule Rule { get; }

    /// <summary>The message kind.</summary>
    public MessageKind Kind => Rule.Kind;

    /// <summary>The site segment, or <see langword="null"/> while unset.</summary>
    public string? Site { get; private init; }

    /// <summary>The area segment (gateway kinds), or <see langword="null"/> while unset.</summary>
    public string? Area { get; private init; }

    /// <summary>The gateway segment (gateway kinds), or <see langword="null"/> while unset.</summary>
    public string? Gateway { get; private init; }

    /// <summary>The device segment (health and cmd), or <see langword="null"/> while unset.</summary>
    public string? Device { get; private init; }

    /// <summary>The level segment (alerts), or <see langword="null"/> while unset.</summary>
    public AlertLevel? Level { get; private init; }

    /// <summary>The alert id segment (alerts), or <see langword="null"/> while unset.</summary>
    public string? AlertId { get; private init; }

    private bool IsAlert => Kind == MessageKind.Alert;

    /// <summary>Whether every segment is set, so that <see cref="ToTopic"/> succeeds.</summary>
    public bool IsComplete => Site is not null && (IsAlert
        ? Level is not null && AlertId is not null
        : Area is not null && Gateway is not null && (!Rule.HasDevice || Device is not null));

    /// <summary>A template of <paramref name="kind"/> with no segment set.</summary>
    /// <param name="kind">The message kind.</param>
    /// <returns>The template.</returns>
    public static TopicTemplate For(MessageKind kind) => new(kind);

    /// <summary>A template of a gateway kind with site, area and gateway set.</summary>
    /// <param name="kind">A gateway kind (not <see cref="MessageKind.Alert"/>).</param>
    /// <param name="site">The site id.</param>
    /// <param name="area">The area id.</param>
    /// <param name="gateway">The gateway id.</param>
    /// <returns>The template.</returns>
    public static TopicTemplate ForGateway(MessageKind kind, string site, string area, string gateway) =>
        For(kind).WithSite(site).WithArea(area).WithGateway(gateway);

    /// <summary>Sets the site.</summary>
    /// <param name="site">The site id.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="ArgumentException">Not a valid id.</exception>
    public TopicTemplate WithSite(string site)
    {
        ContractIds.ThrowIfInvalid(site, nameof(site));
        return Copy(site: site);
    }

    /// <summary>Sets the area.</summary>
    /// <param name="area">The area id; <c>alerts</c> is reserved.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="ArgumentException">Not a valid id, or reserved.</exception>
    /// <exception cref="InvalidOperationException">The kind is <see cref="MessageKind.Alert"/>.</exception>
    public TopicTemplate WithArea(string area)
    {
        RequireGatewayKind(nameof(WithArea));
        ContractIds.ThrowIfInvalid(area, nameof(area));
        if (area == AlertsSegment)
        {
            throw new ArgumentException($"The area id '{AlertsSegment}' is reserved for alert topics.", nameof(area));
        }

        return Copy(area: area);
    }

    /// <summary>Sets the gateway.</summary>
    /// <param name="gateway">The gateway id.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="ArgumentException">Not a valid id.</exception>
    /// <exception cref="InvalidOperationException">The kind is <see cref="MessageKind.Alert"/>.</exception>
    public TopicTemplate WithGateway(string gateway)
    {
        RequireGatewayKind(nameof(WithGateway));
        ContractIds.ThrowIfInvalid(gateway, nameof(gateway));
        return Copy(gateway: gateway);
    }

    /// <summary>Sets the device (health and cmd only).</summary>
    /// <param name="device">The device id.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="ArgumentException">Not a valid id.</exception>
    /// <exception cref="InvalidOperationException">The kind has no device segment.</exception>
    public TopicTemplate WithDevice(string device)
    {
        if (!Rule.HasDevice)
        {
            throw new InvalidOperationException($"Topics of kind '{Rule.Segment}' have no device segment.");
        }

        ContractIds.ThrowIfInvalid(device, nameof(device));
        return Copy(device: device);
    }

    /// <summary>Sets the alert level (alerts only).</summary>
    /// <param name="level">The level.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="InvalidOperationException">The kind is not <see cref="MessageKind.Alert"/>.</exception>
    public TopicTemplate WithLevel(AlertLevel level)
    {
        RequireAlertKind(nameof(WithLevel));
        _ = WireEnums.AlertLevel.ToName(level);
        return Copy(level: level);
    }

    /// <summary>Sets the alert id (alerts only).</summary>
    /// <param name="alertId">The alert id; may not be a kind segment name.</param>
    /// <returns>A new template.</returns>
    /// <exception cref="ArgumentException">Not a valid id, or reserved.</exception>
    /// <exception cref="InvalidOperationException">The kind is not <see cref="MessageKind.Alert"/>.</exception>
    public TopicTemplate WithAlertId(string alertId)
    {
        RequireAlertKind(nameof(WithAlertId));
        ContractIds.ThrowIfInvalid(alertId, nameof(alertId));
        if (MessageKindRules.IsKindSegment(alertId))
        {
            throw new ArgumentException($"'{alertId}' is reserved: alert ids may not be message-kind names.", nameof(alertId));
        }

        return Copy(alertId: alertId);
    }

    /// <summary>The concrete topic to publish on.</summary>
    /// <returns>The topic, e.g. <c>edge/v1/plant1/intake/gw-01/readings</c>.</returns>
    /// <exception cref="InvalidOperationException">A segment is unset; the message names it.</exception>
    public string ToTopic()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException($"Topic '{this}' has unset segments; set them or use ToFilter().");
        }

        return Build(unset: null);
    }

    /// <summary>The subscription filter: the topic with <c>+</c> in place of each unset segment.</summary>
    /// <returns>The filter, e.g. <c>edge/v1/+/+/+/readings</c>.</returns>
    public string ToFilter() => Build(unset: SingleLevelWildcard);

    /// <summary>The template with <c>{name}</c> in place of each unset segment, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Build(unset: null, placeholders: true);

    /// <summary>
    /// A filter for every message kind under one gateway (or all gateways matching the given segments):
    /// <c>edge/v1/{site}/{area}/{gateway}/#</c> with <c>+</c> for each null argument.
    /// </summary>
    /// <param name="site">The site id, or null for any.</param>
    /// <param name="area">The area id, or null for any.</param>
    /// <param name="gateway">The gateway id, or null for any.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">An argument is not a valid id.</exception>
    public static string GatewayFilter(string? site = null, string? area = null, string? gateway = null)
    {
        return string.Join('/', ContractInfo.TopicPrefix, SegmentOrWildcard(site, nameof(site)),
            SegmentOrWildcard(area, nameof(area)), SegmentOrWildcard(gateway, nameof(gateway)), MultiLevelWildcard);
    }

    /// <summary>A filter for everything of a site (or all sites): <c>edge/v1/{site}/#</c>.</summary>
    /// <param name="site">The site id, or null for any.</param>
    /// <returns>The filter.</returns>
    /// <exception cref="ArgumentException">The argument is not a valid id.</exception>
    public static string SiteFilter(string? site = null) =>
        string.Join('/', ContractInfo.TopicPrefix, SegmentOrWildcard(site, nameof(site)), MultiLevelWildcard);

    /// <summary>Parses a concrete topic into its parts.</summary>
    /// <param name="topic">A topic a message arrived on.</param>
    /// <returns>The parts.</returns>
    /// <exception cref="FormatException">The topic is not a contract topic; the message says why.</exception>
    public static TopicParts Parse(string topic) =>
        TryParse(topic, out var parts, out var error) ? parts : throw new FormatException($"'{topic}' is not a contract topic: {error}");

    /// <summary>Parses a concrete topic into its parts, with a typed failure instead of an exception.</summary>
    /// <param name="topic">A topic a message arrived on.</param>
    /// <param name="parts">The parts, on success.</param>
    /// <param name="error">Why the topic is not a contract topic, on failure.</param>
    /// <returns><see langword="true"/> when the topic is a valid contract topic.</returns>
    public static bool TryParse(
        string? topic,
        [NotNullWhen(true)] out TopicParts? parts,
        [NotNullWhen(false)] out TopicError? error)
    {
        parts = null;
        error = Parse(topic, ref parts);
        return error is null;
    }

    private static TopicError? Parse(string? topic, ref TopicParts? parts)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return new(TopicErrorCode.Empty, "The topic is empty.");
        }

        if (topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal))
        {
            return new(TopicErrorCode.Wildcard, "A concrete topic may not contain '+' or '#'; that is a filter.");
        }

        var segments = topic.Split('/');
        if (segments[0] != ContractInfo.TopicRoot)
        {
            return new(TopicErrorCode.WrongRoot, $"The topic does not start with '{ContractInfo.TopicRoot}/'.");
        }

        if (segments.Length < 2 || segments[1] != ContractInfo.TopicVersion)
        {
            var version = segments.Length < 2 ? string.Empty : segments[1];
            return version.Length > 1 && version[0] == 'v' && version.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0
                ? new(TopicErrorCode.UnknownVersion, $"'{version}' is not {ContractInfo.TopicVersion}.")
                : new(TopicErrorCode.WrongRoot, $"The second segment '{version}' is not a version such as {ContractInfo.TopicVersion}.");
        }

        if (segments.Length < 6)
        {
            return new(TopicErrorCode.WrongSegmentCount, $"{segments.Length} segments are too few for any kind.");
        }

        if (InvalidSegment(segments[2], "site") is { } siteError)
        {
            return siteError;
        }

        return segments[3] == AlertsSegment ? ParseAlert(segments, ref parts) : ParseGateway(segments, ref parts);
    }

    private static TopicError? ParseAlert(string[] segments, ref TopicParts? parts)
    {
        if (segments.Length != 6)
        {
            return new(TopicErrorCode.WrongSegmentCount, "An alert topic is edge/v1/{site}/alerts/{level}/{alertId}.");
        }

        if (!WireEnums.AlertLevel.TryParse(segments[4], out var level))
        {
            return new(TopicErrorCode.UnknownLevel, $"'{segments[4]}' is not one of {WireEnums.AlertLevel.AllowedList}.");
        }

        if (InvalidSegment(segments[5], "alertId") is { } idError)
        {
            return idError;
        }

        if (MessageKindRules.IsKindSegment(segments[5]))
        {
            return new(TopicErrorCode.InvalidSegment, $"The alert id '{segments[5]}' is reserved (a message-kind name).");
        }

        parts = new TopicParts(MessageKind.Alert, segments[2], Level: level, AlertId: segments[5]);
        return null;
    }

    private static TopicError? ParseGateway(string[] segments, ref TopicParts? parts)
    {
        if (!MessageKindRules.TryGetBySegment(segments[5], out var rule) || rule.Kind == MessageKind.Alert)
        {
            return new(TopicErrorCode.UnknownKind, $"'{segments[5]}' is not a gateway message kind.");
        }

        var expected = rule.HasDevice ? 7 : 6;
        if (segments.Length != expected)
        {
            return new(TopicErrorCode.WrongSegmentCount,
                $"A '{rule.Segment}' topic has {expected} segments" + (rule.HasDevice ? " (ending with the device)" : string.Empty) + $", not {segments.Length}.");
        }

        var error = InvalidSegment(segments[3], "area") ?? InvalidSegment(segments[4], "gateway")
            ?? (rule.HasDevice ? InvalidSegment(segments[6], "device") : null);
        if (error is not null)
        {
            return error;
        }

        parts = new TopicParts(rule.Kind, segments[2], segments[3], segments[4], rule.HasDevice ? segments[6] : null);
        return null;
    }

    private static TopicError? InvalidSegment(string segment, string name) => ContractIds.IsValid(segment)
        ? null
        : new(TopicErrorCode.InvalidSegment, $"The {name} segment '{segment}' is not an id of 1-{ContractLimits.MaxIdLength} characters of [A-Za-z0-9_.-].");

    private static string SegmentOrWildcard(string? id, string paramName)
    {
        if (id is null)
        {
            return SingleLevelWildcard;
        }

        ContractIds.ThrowIfInvalid(id, paramName);
        return id;
    }

    private string Build(string? unset, bool placeholders = false)
    {
        string Segment(string? value, string name) => value ?? (placeholders ? "{" + name + "}" : unset!);

        var builder = new StringBuilder(ContractInfo.TopicPrefix).Append('/').Append(Segment(Site, "site")).Append('/');
        if (IsAlert)
        {
            var level = Level is { } l ? WireEnums.AlertLevel.ToName(l) : null;
            return builder.Append(AlertsSegment).Append('/').Append(Segment(level, "level")).Append('/')
                .Append(Segment(AlertId, "alertId")).ToString();
        }

        builder.Append(Segment(Area, "area")).Append('/').Append(Segment(Gateway, "gateway")).Append('/').Append(Rule.Segment);
        if (Rule.HasDevice)
        {
            builder.Append('/').Append(Segment(Device, "device"));
        }

        return builder.ToString();
    }

    private void RequireGatewayKind(string method)
    {
        if (IsAlert)
        {
            throw new InvalidOperationException($"{method} does not apply to alert topics.");
        }
    }

    private void RequireAlertKind(string method)
    {
        if (!IsAlert)
        {
            throw new InvalidOperationException($"{method} applies to alert topics only.");
        }
    }

    private TopicTemplate Copy(
        string? site = null, string? area = null, string? gateway = null, string? device = null,
        AlertLevel? level = null, string? alertId = null) => new(Kind)
        {
            Site = site ?? Site,
            Area = area ?? Area,
            Gateway = gateway ?? Gateway,
            Device = device ?? Device,
            Level = level ?? Level,
            AlertId = alertId ?? AlertId,
        };
}
