using Edge.Contracts;
using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Ingest;

/// <summary>The <c>DeadLetters</c> configuration section: what the hub keeps of payloads it refuses, and where it reports them.</summary>
internal sealed class DeadLetterOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "DeadLetters";

    /// <summary>The default report topic: four levels, so no gateway or alert filter (six or seven levels) matches it.</summary>
    public const string DefaultTopic = "edge/v1/_hub/deadletters";

    /// <summary>
    /// Most letters of refused MQTT messages kept in the state store; the oldest are evicted and counted
    /// (<c>DeadLetters:MaxRows</c>, default 10000). Letters of lines InfluxDB refused are not counted and never evicted.
    /// </summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>Most payload bytes of refused MQTT messages kept in the state store (<c>DeadLetters:MaxTotalBytes</c>, default 64 MiB).</summary>
    public long MaxTotalBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Longest payload kept per letter of a refused MQTT message and published on the topic; longer ones are truncated
    /// (<c>DeadLetters:MaxPayloadBytes</c>, default 4096). Lines InfluxDB refused are kept whole.
    /// </summary>
    public int MaxPayloadBytes { get; set; } = 4096;

    /// <summary>The topic every letter is reported on, QoS 0, not retained (<c>DeadLetters:Topic</c>); empty to publish none.</summary>
    public string Topic { get; set; } = DefaultTopic;

    /// <summary>Refusals from one source are logged at most once per this interval, with the count suppressed (<c>DeadLetters:LogInterval</c>, default 1 min).</summary>
    public TimeSpan LogInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Letters waiting to be stored; the consumer waits when it is full (<c>DeadLetters:QueueCapacity</c>, default 1000).</summary>
    public int QueueCapacity { get; set; } = 1000;
}

/// <summary>Validates <see cref="DeadLetterOptions"/>, naming the exact key.</summary>
internal sealed class DeadLetterOptionsValidator : IValidateOptions<DeadLetterOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DeadLetterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = DeadLetterOptions.SectionName;
        var f = new List<string>();
        if (options.MaxRows is < 10 or > 10_000_000)
        {
            f.Add($"{S}:MaxRows must be between 10 and 10000000 (got {options.MaxRows}).");
        }

        if (options.MaxPayloadBytes is < 64 or > ContractLimits.MaxPayloadBytes)
        {
            f.Add($"{S}:MaxPayloadBytes must be between 64 and {ContractLimits.MaxPayloadBytes} (got {options.MaxPayloadBytes}).");
        }

        if (options.MaxTotalBytes < options.MaxPayloadBytes * 10L)
        {
            f.Add($"{S}:MaxTotalBytes must be at least 10 x {S}:MaxPayloadBytes ({options.MaxPayloadBytes * 10L}) (got {options.MaxTotalBytes}).");
        }

        if (!string.IsNullOrEmpty(options.Topic))
        {
            if (!MqttTopicFilter.IsValidTopicName(options.Topic))
            {
                f.Add($"{S}:Topic must be a topic name without '+', '#' or NUL (got '{options.Topic}').");
            }
            else if (TopicTemplate.TryParse(options.Topic, out _, out _))
            {
                // A contract topic would be picked up by the hub's own subscriptions (or a gateway's) as data.
                f.Add($"{S}:Topic must lie outside the gateway and alert topic scheme (got '{options.Topic}', which is a contract topic); the default is {DeadLetterOptions.DefaultTopic}.");
            }
        }

        if (options.LogInterval < TimeSpan.FromSeconds(1) || options.LogInterval > TimeSpan.FromDays(1))
        {
            f.Add($"{S}:LogInterval must be between 00:00:01 and 1.00:00:00 (got {options.LogInterval}).");
        }

        if (options.QueueCapacity is < 10 or > 1_000_000)
        {
            f.Add($"{S}:QueueCapacity must be between 10 and 1000000 (got {options.QueueCapacity}).");
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
