using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Hosting;

/// <summary>The hub's defaults for the <c>Mqtt</c> section and the rules it adds to the client's own.</summary>
internal static class HubMqttOptions
{
    /// <summary>How long the broker keeps the hub's session (and queues for it) while the hub is away: one day.</summary>
    public static readonly TimeSpan DefaultSessionExpiry = TimeSpan.FromDays(1);

    /// <summary>Applies the hub's defaults before the configuration is bound over them.</summary>
    /// <param name="o">The options.</param>
    public static void ApplyDefaults(MqttClientOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.ProtocolVersion = MqttProtocolVersion.V500;
        o.CleanStart = false;
        o.SessionExpiryInterval = DefaultSessionExpiry;
        o.KeepAlive = TimeSpan.FromSeconds(30);

        // Acknowledgements are small packets sent one at a time: Nagle would hold each for the broker's delayed ACK.
        o.TcpNoDelay = true;

        // The hub is the one consumer of every gateway: let the broker keep more in flight towards it than a gateway
        // needs. The receive buffer counts messages, not bytes, and a message may be 1 MiB: 32 keep the consumer busy
        // (it drains them in microseconds) while a flood of large payloads stays within the heap budget.
        o.ReceiveMaximum = 500;
        o.MaxInflightMessages = 100;
        o.Messages.Capacity = 32;
        o.Messages.OverflowPolicy = MqttOverflowPolicy.Wait;
    }
}

/// <summary>The hub's rules for the <c>Mqtt</c> section on top of <see cref="MqttClientOptionsValidator"/>.</summary>
internal sealed class HubMqttOptionsValidator : IValidateOptions<MqttClientOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, MqttClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string S = MqttClientOptions.SectionName;
        var f = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            f.Add($"{S}:ClientId is required: the broker keeps the hub's persistent session under it. Give every hub instance its own (e.g. hub-1, hub-2).");
        }

        if (options.ProtocolVersion != MqttProtocolVersion.V500)
        {
            f.Add($"{S}:ProtocolVersion must be V500 for the hub: shared subscriptions and session expiry are MQTT 5 (got {options.ProtocolVersion}).");
        }

        if (options.CleanStart)
        {
            f.Add($"{S}:CleanStart must be false for the hub: a clean start throws away what the broker queued while the hub was down.");
        }

        if (options.SessionExpiryInterval != Timeout.InfiniteTimeSpan && options.SessionExpiryInterval < TimeSpan.FromMinutes(1))
        {
            f.Add($"{S}:SessionExpiryInterval must be at least 00:01:00 for the hub (default 1.00:00:00) so its session outlives a restart (got {options.SessionExpiryInterval}).");
        }

        if (options.Messages is { OverflowPolicy: not MqttOverflowPolicy.Wait })
        {
            f.Add($"{S}:Messages:OverflowPolicy must be Wait for the hub: a dropped reading is acknowledged to the broker and lost until the gateway replays it.");
        }

        return f.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(f);
    }
}
