namespace Edge.Contracts;

/// <summary>MQTT topic-filter rules (MQTT 5.0 §4.7) and shared subscriptions (§4.8.2).</summary>
public static class TopicFilter
{
    /// <summary>The prefix of a shared subscription.</summary>
    public const string SharePrefix = "$share";

    /// <summary>Tells whether <paramref name="filter"/> is a valid MQTT topic filter.</summary>
    /// <param name="filter">A candidate filter.</param>
    /// <returns><see langword="true"/> when each <c>+</c> fills a whole level and <c>#</c>, if any, is the whole last level.</returns>
    public static bool IsValid(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return false;
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level == "#")
            {
                if (i != levels.Length - 1)
                {
                    return false;
                }
            }
            else if (level != "+" && (level.Contains('+', StringComparison.Ordinal) || level.Contains('#', StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Tells whether a concrete topic matches a filter.</summary>
    /// <param name="filter">A valid topic filter (not a shared subscription).</param>
    /// <param name="topic">A concrete topic.</param>
    /// <returns><see langword="true"/> when a subscription to <paramref name="filter"/> receives messages on <paramref name="topic"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="filter"/> is not a valid filter.</exception>
    public static bool Matches(string filter, string topic)
    {
        if (!IsValid(filter))
        {
            throw new ArgumentException($"'{filter}' is not a valid topic filter.", nameof(filter));
        }

        ArgumentNullException.ThrowIfNull(topic);

        // §4.7.2: a filter starting with a wildcard does not match topics starting with '$' ($SYS, $share).
        if (topic.StartsWith('$') && filter[0] is '+' or '#')
        {
            return false;
        }

        var f = filter.Split('/');
        var t = topic.Split('/');
        for (var i = 0; i < f.Length; i++)
        {
            if (f[i] == "#")
            {
                // "a/#" also matches "a" itself: '#' includes the parent level.
                return true;
            }

            if (i >= t.Length || (f[i] != "+" && f[i] != t[i]))
            {
                return false;
            }
        }

        return f.Length == t.Length;
    }

    /// <summary>
    /// An MQTT 5 shared subscription, <c>$share/{group}/{filter}</c>: the broker hands each message to one member
    /// of the group, so several hub instances can share the ingest load.
    /// </summary>
    /// <param name="group">The share name, an id.</param>
    /// <param name="filter">A valid topic filter.</param>
    /// <returns>The shared subscription filter.</returns>
    /// <exception cref="ArgumentException">The group is not an id or the filter is not valid.</exception>
    public static string Shared(string group, string filter)
    {
        ContractIds.ThrowIfInvalid(group, nameof(group));
        if (!IsValid(filter) || filter.StartsWith(SharePrefix + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{filter}' is not a valid topic filter.", nameof(filter));
        }

        return $"{SharePrefix}/{group}/{filter}";
    }

    /// <summary>Splits a shared subscription into its group and filter.</summary>
    /// <param name="subscription">A subscription such as <c>$share/hub/edge/v1/+/+/+/readings</c>.</param>
    /// <param name="group">The share name.</param>
    /// <param name="filter">The filter.</param>
    /// <returns><see langword="true"/> when <paramref name="subscription"/> is a valid shared subscription.</returns>
    public static bool TryParseShared(string? subscription, out string group, out string filter)
    {
        group = string.Empty;
        filter = string.Empty;
        if (subscription is null || !subscription.StartsWith(SharePrefix + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = subscription[(SharePrefix.Length + 1)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !ContractIds.IsValid(rest[..slash]) || !IsValid(rest[(slash + 1)..]))
        {
            return false;
        }

        group = rest[..slash];
        filter = rest[(slash + 1)..];
        return true;
    }
}
