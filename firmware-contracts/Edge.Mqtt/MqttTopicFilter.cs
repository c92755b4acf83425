using System.Text;

namespace Edge.Mqtt;

/// <summary>Builds and checks topic names and filters (MQTT 5.0 §4.7, §4.8.2).</summary>
public static class MqttTopicFilter
{
    private const int MaxTopicBytes = 65_535;

    /// <summary>
    /// A shared subscription filter, <c>$share/{group}/{filter}</c>: the broker delivers each matching message to
    /// one subscriber of the group (MQTT 5; Mosquitto also honours it for 3.1.1 clients). Use it to spread a
    /// stream over several hub workers.
    /// </summary>
    /// <exception cref="ArgumentException">The group is empty or contains '/', '+' or '#', or the filter is invalid.</exception>
    public static string Shared(string group, string filter)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        if (group.AsSpan().IndexOfAny('/', '+', '#') >= 0)
        {
            throw new ArgumentException($"A share name must not contain '/', '+' or '#' (was '{group}').", nameof(group));
        }

        ThrowIfInvalidFilter(filter, nameof(filter));
        return $"$share/{group}/{filter}";
    }

    /// <summary>Whether <paramref name="topic"/> is a valid topic name to publish to (non-empty, no wildcards, no NUL, at most 65,535 UTF-8 bytes).</summary>
    public static bool IsValidTopicName(string? topic) =>
        !string.IsNullOrEmpty(topic) && topic.AsSpan().IndexOfAny('+', '#', '\0') < 0 && Encoding.UTF8.GetByteCount(topic) <= MaxTopicBytes;

    /// <summary>Whether <paramref name="filter"/> is a valid subscription filter ('#' only last and alone in its level, '+' alone in its level).</summary>
    public static bool IsValidFilter(string? filter)
    {
        if (string.IsNullOrEmpty(filter) || filter.Contains('\0', StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(filter) > MaxTopicBytes)
        {
            return false;
        }

        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            if (level.Contains('#', StringComparison.Ordinal) && (level.Length != 1 || i != levels.Length - 1))
            {
                return false;
            }

            if (level.Contains('+', StringComparison.Ordinal) && level.Length != 1)
            {
                return false;
            }
        }

        return true;
    }

    internal static void ThrowIfInvalidTopicName(string topic, string paramName)
    {
        if (!IsValidTopicName(topic))
        {
            throw new ArgumentException($"'{topic}' is not a valid topic name to publish to: it must be non-empty, contain no '+', '#' or NUL, and be at most {MaxTopicBytes} UTF-8 bytes.", paramName);
        }
    }

    internal static void ThrowIfInvalidFilter(string filter, string paramName)
    {
        if (!IsValidFilter(filter))
        {
            throw new ArgumentException($"'{filter}' is not a valid topic filter: '#' must be the whole last level, '+' a whole level.", paramName);
        }
    }
}
