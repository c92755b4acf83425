using Edge.Contracts;
using Edge.Gateway.Options;
using Edge.Gateway.State;
using Edge.Mqtt;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// The gateway's link to the broker. Every connection is a new <see cref="MqttClient"/> with a new session number,
/// because the Last Will (a death carrying that number) is fixed when a client connects: a client that reconnected
/// by itself would keep announcing the old session in its Will while its birth announces a newer one, and the
/// hub would never see that gateway go offline again. So automatic reconnect is off and this loop reconnects.
/// </summary>
/// <remarks>
/// After each connect: subscribe to the gateway's own <c>ack</c> and <c>cmd/+</c>, publish the birth (retained),
/// then raise <see cref="Connected"/> so the dispatcher starts sending. Incoming messages go to
/// <see cref="MessageHandler"/> one at a time, in order.
/// </remarks>
internal sealed class MqttSession : IAsyncDisposable
{
    private readonly GatewayOptions _options;
    private readonly SessionCounter _sessions;
    private readonly Func<long> _highWaterMark;
    private readonly Func<IReadOnlyList<DeviceStatus>> _devices;
    private readonly IClockSyncSource _clock;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly string _softwareVersion;
    private readonly string? _password;
    private readonly CancellationTokenSource _stopping = new();
    private volatile MqttClient? _current;
    private Task? _loop;
    private long _session;

    public MqttSession(GatewayOptions options, SessionCounter sessions, Func<long> highWaterMark, Func<IReadOnlyList<DeviceStatus>> devices, IClockSyncSource clock, TimeProvider time, ILoggerFactory loggerFactory, string softwareVersion)
    {
        _options = options;
        _sessions = sessions;
        _highWaterMark = highWaterMark;
        _devices = devices;
        _clock = clock;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Edge.Gateway.Mqtt");
        _softwareVersion = softwareVersion;
        _password = options.Mqtt.PasswordFile is { } file ? File.ReadLines(file).FirstOrDefault() ?? string.Empty : options.Mqtt.Password;
        AckTopic = Topic(MessageKind.Ack);
        CommandFilter = TopicTemplate.ForGateway(MessageKind.Command, options.Site, options.Area, options.Id).ToFilter();
    }

    /// <summary>The broker accepted a connection and the birth is out: start sending.</summary>
    public event Action? Connected;

    /// <summary>The connection is gone: stop sending.</summary>
    public event Action? Disconnected;

    /// <summary>Handles one received message (acks and commands); called in arrival order, never concurrently.</summary>
    public Func<MqttMessage, CancellationToken, Task>? MessageHandler { get; set; }

    public string AckTopic { get; }

    public string CommandFilter { get; }

    /// <summary>The connected client, or null while offline.</summary>
    public MqttClient? Current => _current is { IsConnected: true } c ? c : null;

    public bool IsConnected => Current is not null;

    /// <summary>The session number of the current (or last) connection.</summary>
    public long Session => Interlocked.Read(ref _session);

    public string Topic(MessageKind kind, string? device = null)
    {
        var t = TopicTemplate.ForGateway(kind, _options.Site, _options.Area, _options.Id);
        return device is null ? t.ToTopic() : t.WithDevice(device).ToTopic();
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>Publishes state (birth, health) if connected; false when offline or the publish failed.</summary>
    public async Task<bool> TryPublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var client = Current;
        if (client is null)
        {
            return false;
        }

        try
        {
            await client.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is MqttException or ObjectDisposedException)
        {
            Log.StatePublishFailed(_logger, topic, ex.Message);
            return false;
        }
    }

    /// <summary>Publishes the graceful death, disconnects normally (the broker drops the Will) and stops reconnecting.</summary>
    public async Task StopAsync(TimeSpan budget)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        var client = _current;
        _current = null;
        if (client is null)
        {
            return;
        }

        using var cts = new CancellationTokenSource(budget);
        try
        {
            if (client.IsConnected)
            {
                var death = Death(graceful: true);
                await client.PublishAsync(Topic(MessageKind.Death), ContractCodec.Encode(death), MqttQos.AtLeastOnce, retain: true, cts.Token);
                Log.GracefulDeathPublished(_logger, death.Session, death.Seq);
                await client.DisconnectAsync(MqttDisconnectReason.Normal, cts.Token);
            }
        }
        catch (Exception ex) when (ex is MqttException or OperationCanceledException)
        {
            Log.GracefulDeathFailed(_logger, ex.Message);
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.FromSeconds(1));
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            var session = _sessions.Next();
            Interlocked.Exchange(ref _session, session);
            var client = new MqttClient(ClientOptions(session), _loggerFactory.CreateLogger<MqttClient>(), _time);
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var connected = false;
            client.ConnectionStateChanged += (_, e) =>
            {
                if (e.Kind == MqttConnectionEventKind.Disconnected)
                {
                    lost.TrySetResult();
                }
            };

            try
            {
                await client.ConnectAsync(ct);
                lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!client.IsConnected)
                {
                    throw new MqttException("The connection closed right after it was accepted.");
                }

                await client.SubscribeAsync([new MqttSubscription(AckTopic), new MqttSubscription(CommandFilter)], ct);
                var birth = Birth(session);
                await client.PublishAsync(Topic(MessageKind.Birth), ContractCodec.Encode(birth), MqttQos.AtLeastOnce, retain: true, ct);
                _current = client;
                connected = true;
                failures = 0;
                Log.SessionStarted(_logger, _options.Mqtt.Host, _options.Mqtt.Port, session, birth.Seq);
                var reader = ReadAsync(client, ct);
                Connected?.Invoke();

                // A drop raises Disconnected on the client's event task; the state check covers one raised before
                // this handler saw the new TaskCompletionSource.
                while (client.IsConnected && !ct.IsCancellationRequested)
                {
                    await Task.WhenAny(lost.Task, Task.Delay(TimeSpan.FromSeconds(1), _time, ct));
                }

                ct.ThrowIfCancellationRequested();
                Log.SessionLost(_logger, session);
                _current = null;
                Disconnected?.Invoke();
                await client.DisposeAsync();
                await reader;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                if (!connected)
                {
                    await client.DisposeAsync();
                }

                // Connected: StopAsync publishes the graceful death on this client and disposes it.
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever failed (refusal, timeout, a setting libmosquitto rejected), keep trying: a gateway that
                // gave up on its broker is a gateway whose outbox only grows.
                failures++;
                if (connected)
                {
                    _current = null;
                    Disconnected?.Invoke();
                }

                Log.ConnectFailed(_logger, _options.Mqtt.Host, _options.Mqtt.Port, failures, ex.Message);
                await client.DisposeAsync();
            }

            var delay = Backoff(failures);
            try
            {
                await Task.Delay(delay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadAsync(MqttClient client, CancellationToken ct)
    {
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(ct))
            {
                var handler = MessageHandler;
                if (handler is null)
                {
                    continue;
                }

                try
                {
                    await handler(message, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    Log.MessageHandlerFailed(_logger, ex, message.Topic);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var min = _options.Mqtt.ReconnectMinDelay.TotalMilliseconds;
        var max = _options.Mqtt.ReconnectMaxDelay.TotalMilliseconds;
        var nominal = Math.Min(max, min * Math.Pow(2, Math.Min(failures, 20)));

        // Jitter spreads the gateways of a plant that all lost the same broker.
        return TimeSpan.FromMilliseconds(Math.Max(min, nominal * (0.5 + (Random.Shared.NextDouble() * 0.5))));
    }

    private MqttClientOptions ClientOptions(long session)
    {
        var m = _options.Mqtt;
        var death = Death(graceful: false, session);
        var o = new MqttClientOptions
        {
            Host = m.Host,
            Port = m.Port,
            ClientId = string.IsNullOrEmpty(m.ClientId) ? _options.Id : m.ClientId,
            UserName = m.UserName,
            Password = _password,
            KeepAlive = m.KeepAlive,
            OperationTimeout = m.OperationTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(10),

            // A persistent session keeps acks and commands the hub sends while the link is down.
            CleanStart = false,
            SessionExpiryInterval = TimeSpan.FromDays(1),
            MaxInflightMessages = 100,
            MaxPendingPublishes = 5000,
            TcpNoDelay = true,
            Reconnect = new MqttReconnectOptions { Enabled = false },
            Will = new MqttWillOptions { Topic = Topic(MessageKind.Death), Payload = ContractCodec.Encode(death), Qos = MqttQos.AtLeastOnce, Retain = true },
        };
        if (m.Tls is { } tls)
        {
            o.Tls = new MqttTlsOptions { CaFile = tls.CaFile, CertificateFile = tls.CertificateFile, KeyFile = tls.KeyFile, VerifyHostname = tls.VerifyHostname };
        }

        return o;
    }

    /// <summary>
    /// A birth of the current session carrying abandonment declarations: published again, retained, whenever the
    /// outbox hands one over, until the hub's acknowledgement covers the declaration's seq.
    /// </summary>
    public GatewayBirth BirthWith(IReadOnlyList<SeqAbandonment> abandoned) => Birth(Session) with
    {
        // The lowest version whose rules the message follows: 1.1 introduced the declarations.
        Schema = ContractInfo.LatestSchemaVersion,
        // The high-water mark covers every seq handed out, declarations included; max() only guards a racing read.
        Seq = Math.Max(_highWaterMark(), abandoned.Count == 0 ? 0 : abandoned[^1].Seq),
        Abandoned = abandoned,
    };

    private GatewayBirth Birth(long session) => new()
    {
        GatewayId = _options.Id,
        Seq = _highWaterMark(),
        Ts = _time.GetUtcNow(),
        ClockSynced = _clock.IsSynchronized,
        Session = session,
        SoftwareVersion = _softwareVersion,
        Devices = _devices(),
    };

    private GatewayDeath Death(bool graceful, long? session = null) => new()
    {
        GatewayId = _options.Id,
        Seq = _highWaterMark(),
        Ts = _time.GetUtcNow(),
        ClockSynced = _clock.IsSynchronized,
        Session = session ?? Session,
        Graceful = graceful,
    };
}
