using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Edge.Mqtt.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Mqtt;

/// <summary>
/// An MQTT 5 (or 3.1.1) client over libmosquitto, shared by the edge gateway and the hub.
/// </summary>
/// <remarks>
/// <para><b>Concurrency contract.</b> Every public member is thread-safe. <see cref="PublishAsync(MqttMessage, CancellationToken)"/>,
/// <see cref="SubscribeAsync(IEnumerable{MqttSubscription}, CancellationToken)"/> and <see cref="UnsubscribeAsync(IEnumerable{string}, CancellationToken)"/>
/// may be called concurrently from any number of threads; <see cref="ConnectAsync"/>, <see cref="DisconnectAsync"/>
/// and <see cref="DisposeAsync"/> may race with them and with each other. <see cref="Messages"/> may have several
/// readers (each message goes to one of them; order is only kept for a single reader).</para>
/// <para><b>Threads.</b> Each client owns one background thread that runs libmosquitto's network loop
/// (mosquitto_loop), connects, reconnects with backoff, and receives every libmosquitto callback. Callbacks copy
/// what they need and hand it on (task completions run their continuations asynchronously, messages go into the
/// bounded <see cref="Messages"/> buffer, events to a dispatcher task); no application code ever runs on that
/// thread and nothing there waits for the application. <see cref="ConnectionStateChanged"/> handlers and log
/// lines run on the dispatcher task, one at a time, in order.</para>
/// <para><b>While disconnected</b> publishes fail at once with <see cref="MqttNativeError.NoConnection"/> rather than
/// queueing in native memory: the gateway's durable outbox is the queue and resends. QoS 1/2 publishes already
/// handed to libmosquitto when a connection drops stay pending: libmosquitto resends them after reconnecting, and
/// their tasks complete on the PUBACK or fail after <see cref="MqttClientOptions.OperationTimeout"/>.</para>
/// </remarks>
public sealed partial class MqttClient : IAsyncDisposable
{
    private const int LoopTimeoutMs = 100;
    private static readonly TimeSpan s_pausedPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(5);

    private readonly MqttClientOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SafeMosquittoHandle _handle;
    private readonly MessageBuffer _messages;
    private readonly PendingOperations _pending;
    private readonly SemaphoreSlim _publishSlots;
    private readonly ConcurrentDictionary<string, MqttSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Channel<Notice> _notices;
    private readonly Lock _gate = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _loopExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _endpoint;
    private readonly string _logName;
    private readonly bool _v5;
    private readonly long _operationTimeoutTicks;

    // Shared between callers and the loop thread: volatile, or written under _gate.
    private volatile int _state;
    private volatile bool _wantConnected;
    private volatile bool _stopRequested;
    private volatile bool _socketOpen;
    private volatile bool _sessionPresent;
    private volatile int _disconnectReason;
    private int _disconnectIssued;
    private int _connectRequest;
    private int _disposed;
    private TaskCompletionSource<MqttConnectResult> _nextConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _disconnected;
    private Thread? _loopThread;
    private Task? _dispatcher;
    private ITimer? _sweepTimer;

    /// <summary>Creates a client; it does not connect until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Settings; validated and copied.</param>
    /// <param name="logger">Logger, or null for none.</param>
    /// <param name="timeProvider">Clock for backoff delays and acknowledgement timeouts, or null for the system clock.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid; the message names each key.</exception>
    /// <exception cref="MqttException">libmosquitto is missing or refused the settings.</exception>
    public MqttClient(MqttClientOptions options, ILogger<MqttClient>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        MqttClientOptionsValidator.ThrowIfInvalid(options);
        _options = options.Clone();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _v5 = _options.ProtocolVersion == MqttProtocolVersion.V500;
        _endpoint = string.Create(CultureInfo.InvariantCulture, $"{_options.Host}:{_options.Port}");
        _logName = string.IsNullOrEmpty(_options.ClientId) ? "(generated id)" : _options.ClientId;
        _operationTimeoutTicks = ToTimestampTicks(_options.OperationTimeout);
        _pending = new PendingOperations(_operationTimeoutTicks);
        _messages = new MessageBuffer(_options.Messages.Capacity, _options.Messages.OverflowPolicy, _wake.Set);
        _publishSlots = new SemaphoreSlim(_options.MaxPendingPublishes, _options.MaxPendingPublishes);
        _notices = Channel.CreateBounded<Notice>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        Mosquitto.EnsureInitialized();

        // Weak: the callbacks only run inside native calls made by the loop thread, which keeps this object alive;
        // an abandoned, never-connected client can still be finalized and its SafeHandle release the native client.
        var self = GCHandle.Alloc(this, GCHandleType.Weak);
        _handle = Mosquitto.Create(_options, GCHandle.ToIntPtr(self));
    }

    /// <summary>Raised on the dispatcher task when the client connects, loses or fails a connection, or schedules a reconnect.</summary>
    public event EventHandler<MqttConnectionEventArgs>? ConnectionStateChanged;

    /// <summary>The version of libmosquitto in use.</summary>
    public static Version NativeLibraryVersion => Mosquitto.LibraryVersion;

    /// <summary>The configured client id (empty when libmosquitto or the broker chose one).</summary>
    public string ClientId => _options.ClientId ?? string.Empty;

    /// <summary>The current connection state.</summary>
    public MqttConnectionState State => (MqttConnectionState)_state;

    /// <summary>Whether the broker has accepted the connection and it has not been seen to drop.</summary>
    public bool IsConnected => State == MqttConnectionState.Connected;

    /// <summary>
    /// Received messages, in arrival order, through a bounded buffer (<see cref="MqttClientOptions.Messages"/>).
    /// Completes when the client is disposed. Read it continuously: see <see cref="MqttOverflowPolicy"/> for what
    /// happens when it is full.
    /// </summary>
    public ChannelReader<MqttMessage> Messages => _messages.Reader;

    /// <summary>Messages discarded by a drop overflow policy since the client was created (always 0 with Wait).</summary>
    public long DroppedMessages => _messages.Dropped;

    /// <summary>
    /// Connects, and keeps the connection up until <see cref="DisconnectAsync"/> or dispose. Transient failures
    /// (refused, unreachable, broker busy) are retried with the reconnect backoff, raising
    /// <see cref="ConnectionStateChanged"/> each time, until the token is cancelled; a refusal that retrying cannot fix
    /// (bad credentials, not authorized, TLS verification) fails the task at once. Returns at once when already connected.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting and stops trying (an established connection is kept).</param>
    /// <exception cref="MqttException">The broker refused the connection, or TLS verification failed.</exception>
    public async Task<MqttConnectResult> ConnectAsync(CancellationToken cancellationToken = default)
    {
        Task<MqttConnectResult> waitFor;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (State == MqttConnectionState.Connected)
            {
                return new MqttConnectResult(_sessionPresent);
            }

            if (!_wantConnected)
            {
                _nextConnection = new TaskCompletionSource<MqttConnectResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                _connectRequest++;
                _wantConnected = true;
                SetState(MqttConnectionState.Connecting);
                EnsureStarted();
            }

            waitFor = _nextConnection.Task;
        }

        _wake.Set();
        try
        {
            return await waitFor.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                // Stop trying only if this request is still the one in progress; a connection that won the race stays.
                if (!waitFor.IsCompleted && ReferenceEquals(_nextConnection.Task, waitFor))
                {
                    _nextConnection.TrySetCanceled(cancellationToken);
                    _wantConnected = false;
                    _disconnectReason = (int)MqttDisconnectReason.Normal;
                    SetState(MqttConnectionState.Disconnecting);
                }
            }

            _wake.Set();
            throw;
        }
    }

    /// <summary>Publishes a message (see <see cref="PublishAsync(MqttMessage, CancellationToken)"/>).</summary>
    /// <param name="topic">Topic name (no wildcards).</param>
    /// <param name="payload">Payload; copied before the task is returned.</param>
    /// <param name="qos">Quality of service.</param>
    /// <param name="retain">Whether the broker retains it.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (the message may still be delivered).</param>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, MqttQos qos = MqttQos.AtLeastOnce, bool retain = false, CancellationToken cancellationToken = default) =>
        PublishAsync(new MqttMessage(topic, payload, qos, retain), cancellationToken);

    /// <summary>
    /// Publishes a message. QoS 0 completes when the packet has been written to the socket; QoS 1 on the broker's
    /// PUBACK and QoS 2 on PUBCOMP, correlated by packet id. A PUBACK with a failure reason code (MQTT 5; e.g. 0x87
    /// when an ACL denies the topic) fails the task. The payload is copied before this method returns.
    /// </summary>
    /// <param name="message">The message; its user properties are sent with MQTT 5 and ignored with 3.1.1.</param>
    /// <param name="cancellationToken">Stops waiting for the acknowledgement (the message may still be delivered).</param>
    /// <exception cref="MqttException">Not connected (nothing was queued), refused by libmosquitto or the broker, or no acknowledgement within <see cref="MqttClientOptions.OperationTimeout"/>.</exception>
    public Task PublishAsync(MqttMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        MqttTopicFilter.ThrowIfInvalidTopicName(message.Topic, nameof(message));
        if (!Enum.IsDefined(message.Qos))
        {
            throw new ArgumentOutOfRangeException(nameof(message), message.Qos, "QoS must be 0, 1 or 2.");
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (State != MqttConnectionState.Connected)
        {
            return Task.FromException(MqttErrors.NotConnected($"Publishing to '{message.Topic}'", State));
        }

        return _publishSlots.Wait(0, CancellationToken.None)
            ? PublishWithSlot(message, cancellationToken)
            : PublishWhenSlotFreeAsync(Detach(message), cancellationToken);
    }

    /// <summary>Subscribes to one filter (see <see cref="SubscribeAsync(IEnumerable{MqttSubscription}, CancellationToken)"/>).</summary>
    /// <param name="filter">Topic filter, or a shared subscription from <see cref="MqttTopicFilter.Shared"/>.</param>
    /// <param name="qos">Maximum QoS for deliveries.</param>
    /// <param name="cancellationToken">Stops waiting for the SUBACK.</param>
    /// <returns>The granted QoS.</returns>
    public async Task<MqttQos> SubscribeAsync(string filter, MqttQos qos = MqttQos.AtLeastOnce, CancellationToken cancellationToken = default)
    {
        var results = await SubscribeAsync([new MqttSubscription(filter, qos)], cancellationToken);
        return results[0].GrantedQos;
    }

    /// <summary>
    /// Subscribes and completes on the broker's SUBACKs, one per filter. The client remembers granted subscriptions
    /// and makes them again whenever it reconnects to a new (not resumed) session.
    /// </summary>
    /// <param name="subscriptions">The filters with their options.</param>
    /// <param name="cancellationToken">Stops waiting for the SUBACKs.</param>
    /// <returns>The granted QoS of each filter, in order.</returns>
    /// <exception cref="MqttException">Not connected, no SUBACK in time, or the broker refused a filter (reason code 0x80 or above, e.g. 0x87 by ACL); the message lists each refused filter.</exception>
    public async Task<IReadOnlyList<MqttSubscribeResult>> SubscribeAsync(IEnumerable<MqttSubscription> subscriptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        var list = subscriptions.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one subscription is required.", nameof(subscriptions));
        }

        foreach (var s in list)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(subscriptions));
            MqttTopicFilter.ThrowIfInvalidFilter(s.Filter, nameof(subscriptions));
            if (!Enum.IsDefined(s.Qos) || !Enum.IsDefined(s.RetainHandling))
            {
                throw new ArgumentOutOfRangeException(nameof(subscriptions), $"Subscription '{s.Filter}' has an invalid QoS or retain handling.");
            }
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ThrowIfNotConnected("Subscribing");

        // One SUBSCRIBE per filter: each gets its own QoS and options, and its SUBACK maps to one result.
        var tasks = new Task<MqttReasonCode>[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            tasks[i] = StartSubscribe(list[i], cancellationToken);
        }

        var codes = await Task.WhenAll(tasks);
        var results = new MqttSubscribeResult[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            results[i] = new MqttSubscribeResult(list[i].Filter, codes[i]);
            if (results[i].IsGranted)
            {
                _subscriptions[list[i].Filter] = list[i];
            }
        }

        if (results.Any(r => !r.IsGranted))
        {
            throw MqttErrors.SubscribeRefused(results);
        }

        return results;
    }

    /// <summary>Unsubscribes from one filter and completes on the UNSUBACK.</summary>
    /// <param name="filter">The filter exactly as subscribed.</param>
    /// <param name="cancellationToken">Stops waiting for the UNSUBACK.</param>
    public Task UnsubscribeAsync(string filter, CancellationToken cancellationToken = default) => UnsubscribeAsync([filter], cancellationToken);

    /// <summary>Unsubscribes and completes on the UNSUBACKs; the filters are no longer made again after a reconnect.</summary>
    /// <param name="filters">The filters exactly as subscribed.</param>
    /// <param name="cancellationToken">Stops waiting for the UNSUBACKs.</param>
    /// <exception cref="MqttException">Not connected, or no UNSUBACK in time.</exception>
    public async Task UnsubscribeAsync(IEnumerable<string> filters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filters);
        var list = filters.ToList();
        foreach (var f in list)
        {
            MqttTopicFilter.ThrowIfInvalidFilter(f, nameof(filters));
        }

        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        foreach (var f in list)
        {
            _subscriptions.TryRemove(f, out _);
        }

        ThrowIfNotConnected("Unsubscribing");
        var tasks = new Task[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            tasks[i] = StartUnsubscribe(list[i], cancellationToken);
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>
    /// Sends DISCONNECT with <paramref name="reason"/>, waits until the connection is closed, and stops
    /// reconnecting. A normal disconnect makes the broker discard the Will; <see cref="MqttDisconnectReason.WithWillMessage"/>
    /// asks it to publish the Will anyway. Publishes still awaiting acknowledgement fail; libmosquitto resends them
    /// on the next connect. Does nothing when already disconnected.
    /// </summary>
    /// <param name="reason">The MQTT 5 reason code (MQTT 3.1.1 sends a plain DISCONNECT).</param>
    /// <param name="cancellationToken">Stops waiting (the disconnect still completes in the background).</param>
    /// <exception cref="MqttException">The connection did not close within 5 s.</exception>
    public async Task DisconnectAsync(MqttDisconnectReason reason = MqttDisconnectReason.Normal, CancellationToken cancellationToken = default)
    {
        Task done;
        bool wasConnected;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            if (!_wantConnected && !_socketOpen)
            {
                return;
            }

            wasConnected = State == MqttConnectionState.Connected;
            done = BeginDisconnect(reason);
        }

        if (wasConnected)
        {
            TryIssueDisconnect();
        }

        _wake.Set();
        try
        {
            await done.WaitAsync(s_shutdownWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw MqttErrors.Timeout($"Disconnecting from {_endpoint}", s_shutdownWait, "The client stopped reconnecting; the socket closes when libmosquitto can write DISCONNECT or the client is disposed.");
        }
    }

    /// <summary>
    /// Disconnects cleanly (waiting at most 5 s), stops the network thread, fails whatever is still pending,
    /// completes <see cref="Messages"/> (buffered messages can still be read) and frees the native client.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Task? disconnected = null;
        bool wasConnected;
        bool started;
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            _disposed = 1;
            started = _loopThread is not null;
            wasConnected = State == MqttConnectionState.Connected;
            if (started && (_wantConnected || _socketOpen))
            {
                disconnected = BeginDisconnect(MqttDisconnectReason.Normal);
            }

            _nextConnection.TrySetCanceled();
        }

        // The waits below use real time, not the injected clock: they are safety nets that must not hang a test
        // that drives a fake clock.
        if (disconnected is not null)
        {
            if (wasConnected)
            {
                TryIssueDisconnect();
            }

            _wake.Set();
            await WaitQuietly(disconnected, s_shutdownWait);
        }

        _stopRequested = true;
        _wake.Set();
        var loopExited = !started || await WaitQuietly(_loopExited.Task, s_shutdownWait);

        _sweepTimer?.Dispose();
        _pending.FailAll(op => MqttErrors.Closed(Describe(op), "the client was disposed before the broker answered"));
        _messages.Complete();
        _notices.Writer.TryComplete();
        if (_dispatcher is not null)
        {
            await WaitQuietly(_dispatcher, s_shutdownWait);
        }

        SetState(MqttConnectionState.Disposed);

        // A loop thread stuck in a blocking TCP connect still holds a reference on the handle; SafeHandle defers
        // mosquitto_destroy until that call returns, and the thread then exits.
        _handle.Dispose();
        if (loopExited)
        {
            _wake.Dispose();
            _publishSlots.Dispose();
        }
    }

    private static async Task<bool> WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private static string Describe(PendingOperation op) => op switch
    {
        PendingPublish p => p.Operation,
        PendingSubscribe => "Subscribing",
        _ => "Unsubscribing",
    };

    private Task PublishWithSlot(MqttMessage message, CancellationToken cancellationToken)
    {
        var op = new PendingPublish(message.Topic, message.Qos, _time.GetTimestamp() + _operationTimeoutTicks, _publishSlots);
        int rc;
        int mid;
        try
        {
            rc = Mosquitto.Publish(_handle, message, _v5, out mid);
        }
        catch
        {
            op.ReleaseSlot();
            throw;
        }

        if (rc != Interop.Libmosquitto.ErrSuccess)
        {
            op.TryFail(MqttErrors.FromNative(rc, op.Operation));
            return op.Task;
        }

        Register(mid, op);
        op.RegisterCancellation(cancellationToken);
        if (_messages.IsPaused)
        {
            // A paused loop is not in select(): wake it so the packet is written now.
            _wake.Set();
        }

        return op.Task;
    }

    /// <summary>
    /// A copy that owns its bytes. A publish that must wait for a slot reaches libmosquitto (which copies the payload)
    /// only after PublishAsync has returned, and a caller may reuse its buffer as soon as it has.
    /// </summary>
    private static MqttMessage Detach(MqttMessage m) =>
        new(m.Topic, m.Payload.ToArray(), m.Qos, m.Retain, m.UserProperties.Count == 0 ? null : [.. m.UserProperties]);

    private async Task PublishWhenSlotFreeAsync(MqttMessage message, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.OperationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await _publishSlots.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw MqttErrors.Timeout(
                $"Publishing to '{message.Topic}' (waiting for one of {_options.MaxPendingPublishes} pending-publish slots)",
                _options.OperationTimeout,
                "Nothing was sent.");
        }

        if (State != MqttConnectionState.Connected)
        {
            _publishSlots.Release();
            throw MqttErrors.NotConnected($"Publishing to '{message.Topic}'", State);
        }

        await PublishWithSlot(message, cancellationToken);
    }

    private Task<MqttReasonCode> StartSubscribe(MqttSubscription subscription, CancellationToken cancellationToken)
    {
        var op = new PendingSubscribe(_time.GetTimestamp() + _operationTimeoutTicks);
        var rc = Mosquitto.Subscribe(_handle, subscription, _v5, out var mid);
        if (rc != Interop.Libmosquitto.ErrSuccess)
        {
            return Task.FromException<MqttReasonCode>(MqttErrors.FromNative(rc, $"Subscribing to '{subscription.Filter}'"));
        }

        Register(mid, op);
        op.RegisterCancellation(cancellationToken);
        return op.Task;
    }

    private Task StartUnsubscribe(string filter, CancellationToken cancellationToken)
    {
        var op = new PendingUnsubscribe(_time.GetTimestamp() + _operationTimeoutTicks);
        var rc = Mosquitto.Unsubscribe(_handle, filter, out var mid);
        if (rc != Interop.Libmosquitto.ErrSuccess)
        {
            return Task.FromException(MqttErrors.FromNative(rc, $"Unsubscribing from '{filter}'"));
        }

        Register(mid, op);
        op.RegisterCancellation(cancellationToken);
        return op.Task;
    }

    private void Register(int mid, PendingOperation op)
    {
        if (_pending.Register(mid, op) is { } superseded)
        {
            superseded.TryFail(MqttErrors.Closed(Describe(superseded), "its packet id was reused before the broker answered"));
            Notify(new Notice(NoticeKind.Superseded, Count: mid));
        }
    }

    private void ThrowIfNotConnected(string operation)
    {
        if (State != MqttConnectionState.Connected)
        {
            throw MqttErrors.NotConnected(operation, State);
        }
    }

    /// <summary>Under <see cref="_gate"/>: stop wanting a connection and hand out the task that completes once the socket is closed.</summary>
    private Task BeginDisconnect(MqttDisconnectReason reason)
    {
        _disconnectReason = (int)reason;
        _wantConnected = false;
        SetState(MqttConnectionState.Disconnecting);
        _nextConnection.TrySetCanceled();
        if (_disconnected is null || _disconnected.Task.IsCompleted)
        {
            _disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return _disconnected.Task;
    }

    /// <summary>Sends DISCONNECT once per connection (from the caller when connected, else from the loop thread).</summary>
    private void TryIssueDisconnect()
    {
        if (_socketOpen && Interlocked.CompareExchange(ref _disconnectIssued, 1, 0) == 0)
        {
            try
            {
                // NO_CONN just means the socket closed meanwhile; the loop completes the disconnect either way.
                _ = Mosquitto.Disconnect(_handle, (MqttDisconnectReason)_disconnectReason);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Under <see cref="_gate"/>: starts the loop thread, the event dispatcher and the timeout sweep.</summary>
    private void EnsureStarted()
    {
        if (_loopThread is not null)
        {
            return;
        }

        _dispatcher = Task.Run(DispatchAsync);
        var period = TimeSpan.FromTicks(Math.Clamp(_options.OperationTimeout.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        _sweepTimer = _time.CreateTimer(static s => ((MqttClient)s!).Sweep(), this, period, period);
        _loopThread = new Thread(RunLoop) { IsBackground = true, Name = "mqtt-loop" };
        _loopThread.Start();
    }

    private void Sweep()
    {
        try
        {
            var now = _time.GetTimestamp();
            var timedOut = _pending.Sweep(
                now,
                abandonedRetention: ToTimestampTicks(TimeSpan.FromMinutes(10)),
                earlyAckRetention: ToTimestampTicks(TimeSpan.FromSeconds(5)),
                op => MqttErrors.Timeout(
                    Describe(op),
                    _options.OperationTimeout,
                    op is PendingPublish ? "libmosquitto keeps resending a QoS 1/2 message, so it may still be delivered; receivers must tolerate duplicates." : null));
            if (timedOut > 0)
            {
                Notify(new Notice(NoticeKind.TimedOut, Count: timedOut));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Notify(new Notice(NoticeKind.CallbackFailed, Error: ex));
        }
    }

    private void SetState(MqttConnectionState state)
    {
        if (State != MqttConnectionState.Disposed)
        {
            _state = (int)state;
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private void Notify(Notice notice) => _notices.Writer.TryWrite(notice);

    private async Task DispatchAsync()
    {
        await foreach (var n in _notices.Reader.ReadAllAsync())
        {
            try
            {
                Dispatch(n);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.EventHandlerFailed(_logger, ex, _logName);
            }
        }
    }

    private void Dispatch(Notice n)
    {
        switch (n.Kind)
        {
            case NoticeKind.StateChanged:
                var e = n.Event!;
                switch (e.Kind)
                {
                    case MqttConnectionEventKind.Connected:
                        Log.Connected(_logger, _logName, _endpoint, e.SessionPresent);
                        break;
                    case MqttConnectionEventKind.Reconnecting:
                        Log.Reconnecting(_logger, _logName, _endpoint, e.Attempt, (long)e.Delay.TotalMilliseconds);
                        break;
                    case MqttConnectionEventKind.Disconnected when e.Error is null:
                        Log.Disconnected(_logger, _logName, _endpoint);
                        break;
                    default:
                        Log.ConnectionFailed(_logger, _logName, _endpoint, e.Error!.Message);
                        break;
                }

                ConnectionStateChanged?.Invoke(this, e);
                break;
            case NoticeKind.NativeWarning:
                Log.NativeWarning(_logger, _logName, n.Text!);
                break;
            case NoticeKind.BufferFull:
                Log.BufferFull(_logger, _logName, _options.Messages.Capacity, _options.Messages.OverflowPolicy, _messages.Dropped);
                break;
            case NoticeKind.CallbackFailed:
                Log.CallbackFailed(_logger, n.Error!, _logName);
                break;
            case NoticeKind.LoopFailed:
                Log.LoopFailed(_logger, n.Error!, _logName);
                break;
            case NoticeKind.Resubscribing:
                Log.Resubscribing(_logger, _logName, n.Count);
                break;
            case NoticeKind.ResubscribeFailed:
                Log.ResubscribeFailed(_logger, n.Error!, _logName, n.Text!);
                break;
            case NoticeKind.TimedOut:
                Log.OperationsTimedOut(_logger, _logName, n.Count);
                break;
            case NoticeKind.Superseded:
                Log.OperationSuperseded(_logger, _logName, n.Count);
                break;
        }
    }

    private enum NoticeKind
    {
        StateChanged,
        NativeWarning,
        BufferFull,
        CallbackFailed,
        LoopFailed,
        Resubscribing,
        ResubscribeFailed,
        TimedOut,
        Superseded,
    }

    /// <summary>Something for the dispatcher task to log or raise, so that neither happens on the loop thread.</summary>
    private sealed record Notice(NoticeKind Kind, MqttConnectionEventArgs? Event = null, string? Text = null, Exception? Error = null, int Count = 0);
}
