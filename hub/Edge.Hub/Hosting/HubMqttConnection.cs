using Edge.Contracts;
using Edge.Hub.Ingest;
using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Hosting;

/// <summary>
/// The hub's one MQTT connection: an MQTT 5 persistent session (clean start off, session expiry from
/// <c>Mqtt:SessionExpiryInterval</c>) so the broker queues QoS 1 messages while the hub restarts, subscribed at
/// QoS 1 to readings and scans through a shared subscription (instances of one group split them) and to birth,
/// death and health directly (every instance keeps the whole roster, and shared subscriptions never deliver
/// retained messages, which is how a starting hub learns the current state).
/// </summary>
internal sealed class HubMqttConnection : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(5);
    private readonly IngestOptions _ingest;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _connecting;
    private volatile bool _subscribed;

    /// <summary>Creates the client (it connects in <see cref="StartAsync"/>).</summary>
    /// <param name="options">The <c>Mqtt</c> section.</param>
    /// <param name="ingest">The <c>Ingest</c> section (shared-subscription group).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="loggerFactory">Loggers for the hub and for the client.</param>
    public HubMqttConnection(IOptions<MqttClientOptions> options, IOptions<IngestOptions> ingest, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ingest);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _ingest = ingest.Value;
        _time = timeProvider;
        _logger = loggerFactory.CreateLogger<HubMqttConnection>();
        Client = new MqttClient(options.Value, loggerFactory.CreateLogger<MqttClient>(), timeProvider);
        Subscriptions = BuildSubscriptions(_ingest.SharedGroup, _ingest.Site);
    }

    /// <summary>The client; read <see cref="MqttClient.Messages"/> for what arrives.</summary>
    public MqttClient Client { get; }

    /// <summary>The subscriptions made at every start.</summary>
    public IReadOnlyList<MqttSubscription> Subscriptions { get; }

    /// <summary>Whether the client is connected and the subscriptions were granted.</summary>
    public bool IsReady => _subscribed && Client.IsConnected;

    /// <summary>The subscriptions of a hub in shared group <paramref name="group"/>.</summary>
    /// <param name="group">The shared-subscription group.</param>
    /// <param name="site">Only this site, or null for all.</param>
    /// <returns>Readings and scans shared; birth, death and health not.</returns>
    public static IReadOnlyList<MqttSubscription> BuildSubscriptions(string group, string? site = null)
    {
        string Filter(MessageKind kind) => string.IsNullOrEmpty(site) ? TopicTemplate.For(kind).ToFilter() : TopicTemplate.For(kind).WithSite(site).ToFilter();
        return
        [
            new(TopicFilter.Shared(group, Filter(MessageKind.Readings)), MqttQos.AtLeastOnce),
            new(TopicFilter.Shared(group, Filter(MessageKind.Scans)), MqttQos.AtLeastOnce),
            new(Filter(MessageKind.Birth), MqttQos.AtLeastOnce),
            new(Filter(MessageKind.Death), MqttQos.AtLeastOnce),
            new(Filter(MessageKind.Health), MqttQos.AtLeastOnce),
        ];
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Client.ConnectionStateChanged += OnConnectionStateChanged;

        // Connecting must not hold up the host: the HTTP endpoints (/healthz, /readyz) must answer while the broker
        // is away, and the client retries with backoff by itself.
        _connecting = Task.Run(() => ConnectAndSubscribeAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_connecting is not null)
        {
            await _connecting.WaitAsync(cancellationToken);
        }

        try
        {
            // A normal DISCONNECT; the session (and what the broker queues for it) stays for the next start.
            await Client.DisconnectAsync(MqttDisconnectReason.Normal, cancellationToken);
        }
        catch (Exception e) when (e is MqttException or ObjectDisposedException)
        {
            // Disposed: the client ended under the hub, which is stopping because of it (HubFailure).
            Log.MqttDisconnectFailed(_logger, e);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.ConnectionStateChanged -= OnConnectionStateChanged;
        await Client.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task ConnectAndSubscribeAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connected = await Client.ConnectAsync(cancellationToken);
                await Client.SubscribeAsync(Subscriptions, cancellationToken);
                _subscribed = true;
                Log.MqttSubscribed(_logger, Client.ClientId, connected.SessionPresent, string.Join(' ', Subscriptions.Select(s => s.Filter)));
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (MqttException e)
            {
                // Refused (credentials, ACL) or lost between CONNACK and SUBACK: keep trying, loudly.
                Log.MqttConnectFailed(_logger, e, s_retryDelay);
            }

            try
            {
                await Task.Delay(s_retryDelay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnConnectionStateChanged(object? sender, MqttConnectionEventArgs e)
    {
        if (e.Kind == MqttConnectionEventKind.Connected)
        {
            Log.MqttConnected(_logger, Client.ClientId, e.SessionPresent);
        }
        else if (e.Kind == MqttConnectionEventKind.Disconnected && !_stopping.IsCancellationRequested)
        {
            Log.MqttDisconnected(_logger, Client.ClientId, e.Error?.Message ?? "requested");
        }
    }
}
