using Edge.Mqtt.Internal;

namespace Edge.Mqtt;

/// <summary>The network loop thread and the libmosquitto callbacks, which run on it.</summary>
public sealed partial class MqttClient
{
    // Loop-thread state: only the loop thread (and callbacks, which run on it) touch these.
    private readonly Mosquitto.TopicCache _topics = new();
    private int _seenConnectRequest;
    private int _attempt;
    private bool _initialPhase;
    private bool _connackReceived;
    private bool _everConnected;
    private long _attemptStarted;
    private long _connectedSince;
    private MqttException? _pendingRefusal;
    private string? _lastNativeError;

    private void RunLoop()
    {
        try
        {
            while (!_stopRequested)
            {
                if (!_socketOpen)
                {
                    if (!_wantConnected)
                    {
                        CompleteDisconnect();
                        WaitForWake(Timeout.InfiniteTimeSpan, static c => !c._stopRequested && !c._wantConnected);
                        continue;
                    }

                    if (_messages.IsPaused && !_messages.TryDrainSpill())
                    {
                        // A new connection would deliver more while we cannot read; first let the consumer catch up.
                        WaitForWake(s_pausedPoll, static c => !c._stopRequested && c._wantConnected);
                        continue;
                    }

                    ConnectStep();
                    continue;
                }

                if (!_wantConnected)
                {
                    TryIssueDisconnect();
                }

                var rc = _messages.IsPaused ? ServicePaused() : Interop.Libmosquitto.Loop(_handle, LoopTimeoutMs, 1);
                if (rc != Interop.Libmosquitto.ErrSuccess)
                {
                    OnLoopError(rc);
                }

                CheckConnectTimeout();
            }
        }
        catch (ObjectDisposedException) when (_stopRequested)
        {
            // DisposeAsync gave up waiting and freed the handle; nothing left to do.
        }
        catch (Exception ex)
        {
            Notify(new Notice(NoticeKind.LoopFailed, Error: ex));
            var error = new MqttException($"The network loop of MQTT client {_logName} failed: {ex.Message}", ex);
            lock (_gate)
            {
                _wantConnected = false;
                SetState(MqttConnectionState.Disconnected);
                _nextConnection.TrySetException(error);
                _disconnected?.TrySetResult();
            }

            _pending.FailAll(_ => error);
        }
        finally
        {
            _messages.Complete();
            _loopExited.TrySetResult();
        }
    }

    private void ConnectStep()
    {
        var request = Volatile.Read(ref _connectRequest);
        var fresh = request != _seenConnectRequest;
        if (fresh)
        {
            // A ConnectAsync after a disconnect (or the first one): start the backoff afresh.
            _seenConnectRequest = request;
            _attempt = 0;
            _initialPhase = true;
        }

        if (_attempt > 0)
        {
            var r = _options.Reconnect;
            var delay = ReconnectBackoff.Delay(_attempt, r.InitialDelay, r.MaxDelay, r.JitterFraction, Random.Shared.NextDouble());
            Notify(new Notice(NoticeKind.StateChanged, new MqttConnectionEventArgs(MqttConnectionEventKind.Reconnecting, _time.GetUtcNow(), attempt: _attempt, delay: delay)));
            if (!WaitForBackoff(delay))
            {
                return;
            }
        }

        _connackReceived = false;
        _pendingRefusal = null;
        _lastNativeError = null;
        Interlocked.Exchange(ref _disconnectIssued, 0);
        _attemptStarted = _time.GetTimestamp();
        NativeCallbacks.SetLogging(_handle, enabled: true);

        int rc;
        int errno;
        try
        {
            // Only a fresh request may re-run mosquitto_connect_bind_v5: it recreates the socketpair that publishing
            // threads write to, which is safe only while nobody can publish (state is not Connected).
            rc = fresh || !_everConnected
                ? Mosquitto.Connect(_handle, _options, out errno)
                : Mosquitto.Reconnect(_handle, out errno);
        }
        catch (MqttException ex)
        {
            OnAttemptFailed(ex);
            return;
        }

        if (rc == Interop.Libmosquitto.ErrSuccess)
        {
            _socketOpen = true;
            return;
        }

        OnAttemptFailed(MqttErrors.FromNative(rc, $"Connecting to {_endpoint}", errno, NativeErrorDetail()));
    }

    /// <summary>Reading is paused (Wait policy, buffer full): keep writing (publishes, PUBACKs, PINGREQ) but read nothing.</summary>
    private int ServicePaused()
    {
        if (_messages.TryDrainSpill())
        {
            return Interop.Libmosquitto.ErrSuccess;
        }

        var rc = Interop.Libmosquitto.ErrSuccess;
        if (Interop.Libmosquitto.WantWrite(_handle))
        {
            rc = Interop.Libmosquitto.LoopWrite(_handle, 1);
        }

        if (rc == Interop.Libmosquitto.ErrSuccess && _socketOpen)
        {
            // Sends PINGREQ when due; if PINGRESP (unread behind the paused data) is overdue it closes the connection.
            rc = Interop.Libmosquitto.LoopMisc(_handle);
        }

        if (rc == Interop.Libmosquitto.ErrSuccess && _socketOpen)
        {
            WaitForWake(s_pausedPoll, static c => c._messages.IsPaused && !c._stopRequested && c._wantConnected);
        }

        return rc;
    }

    private void OnLoopError(int rc)
    {
        if (!_socketOpen)
        {
            // libmosquitto closed the socket and called on_disconnect, which handled it.
            return;
        }

        if (Interop.Libmosquitto.Socket(_handle) < 0)
        {
            // Closed without a callback (e.g. the keepalive check while paused on some versions): handle it here.
            OnNativeDisconnect(rc, nint.Zero);
            return;
        }

        // select() itself failed (EINTR is already filtered): back off briefly rather than spin.
        Thread.Sleep(10);
    }

    private void CheckConnectTimeout()
    {
        if (!_socketOpen || _connackReceived || _time.GetElapsedTime(_attemptStarted) < _options.ConnectTimeout)
        {
            return;
        }

        // Abandon this socket; the next mosquitto_reconnect (or mosquitto_destroy) closes it.
        _socketOpen = false;
        var error = _pendingRefusal ?? MqttErrors.Timeout($"Connecting to {_endpoint} (waiting for CONNACK)", _options.ConnectTimeout, NativeErrorDetail());
        _pendingRefusal = null;
        _pending.FailConnectionLoss(op => MqttErrors.ConnectionLost(op, error));
        if (_wantConnected)
        {
            OnAttemptFailed(error);
        }
    }

    /// <summary>A connect attempt failed before the broker accepted it.</summary>
    private void OnAttemptFailed(MqttException error)
    {
        _attempt++;
        Notify(new Notice(NoticeKind.StateChanged, new MqttConnectionEventArgs(MqttConnectionEventKind.Disconnected, _time.GetUtcNow(), error: error)));
        if (_initialPhase && (!error.IsTransient || !_options.Reconnect.Enabled))
        {
            lock (_gate)
            {
                if (_wantConnected && _seenConnectRequest == _connectRequest)
                {
                    _wantConnected = false;
                    SetState(MqttConnectionState.Disconnected);
                    _nextConnection.TrySetException(error);
                }
            }
        }
    }

    private void CompleteDisconnect()
    {
        bool announce;
        lock (_gate)
        {
            announce = State == MqttConnectionState.Disconnecting;
            if (announce)
            {
                SetState(MqttConnectionState.Disconnected);
            }

            _disconnected?.TrySetResult();
        }

        if (announce)
        {
            // Publishes still waiting will not be answered on this connection; libmosquitto would resend them on
            // the next connect, so keep their entries (abandoned) for a late acknowledgement.
            _pending.AbandonAll(_time.GetTimestamp(), op => MqttErrors.Closed(Describe(op), "the client disconnected before the broker answered"));
            Notify(new Notice(NoticeKind.StateChanged, new MqttConnectionEventArgs(MqttConnectionEventKind.Disconnected, _time.GetUtcNow())));
        }
    }

    private bool WaitForBackoff(TimeSpan delay)
    {
        // The timer's own firing is the condition, not a comparison of clocks: a timer may fire a little before a
        // high-resolution elapsed time reaches the delay, and a one-shot timer does not fire twice.
        var due = new DueFlag(_wake);
        using var timer = _time.CreateTimer(static s => ((DueFlag)s!).Fire(), due, delay, Timeout.InfiniteTimeSpan);
        while (true)
        {
            _wake.Reset();
            if (_stopRequested || !_wantConnected)
            {
                return false;
            }

            if (due.Fired)
            {
                return true;
            }

            _wake.Wait();
        }
    }

    /// <summary>Waits for a wake-up (or the timeout) while <paramref name="stillWaiting"/> holds; the reset comes first so no signal is lost.</summary>
    private void WaitForWake(TimeSpan timeout, Func<MqttClient, bool> stillWaiting)
    {
        _wake.Reset();
        if (stillWaiting(this))
        {
            _wake.Wait(timeout);
        }
    }

    /// <summary>
    /// With TLS 1.3 a broker rejects a client certificate (or the lack of one) after the client's side of the
    /// handshake has finished, so libmosquitto sees only a lost connection; OpenSSL's reason is in its log. A
    /// connection lost before CONNACK right after an OpenSSL error is a TLS failure, which retrying cannot fix.
    /// </summary>
    private int NativeDisconnectCode(int rc, bool wasConnected)
    {
        var code = rc == 0 ? Interop.Libmosquitto.ErrConnLost : rc;
        if (!wasConnected
            && code is Interop.Libmosquitto.ErrConnLost or Interop.Libmosquitto.ErrErrno or Interop.Libmosquitto.ErrProtocol
            && _lastNativeError?.StartsWith("OpenSSL Error", StringComparison.Ordinal) == true)
        {
            return Interop.Libmosquitto.ErrTls;
        }

        return code;
    }

    private string? NativeErrorDetail() => _lastNativeError is { } e ? $"libmosquitto: {e}" : null;

    // ---- libmosquitto callbacks (loop thread, via NativeCallbacks) ----

    internal void OnNativeConnect(int rc, int flags, nint properties)
    {
        if (rc != 0)
        {
            // libmosquitto closes the socket next and calls on_disconnect(MOSQ_ERR_CONN_REFUSED), which reports this.
            _pendingRefusal = MqttErrors.FromConnack(rc, _options.ProtocolVersion, _endpoint, _v5 ? Mosquitto.ReadReasonString(properties) : null);
            return;
        }

        _connackReceived = true;
        _everConnected = true;
        NativeCallbacks.SetLogging(_handle, enabled: false);
        _initialPhase = false;
        _connectedSince = _time.GetTimestamp();
        _lastNativeError = null;

        // Bit 0 of the CONNACK acknowledge flags: the broker resumed a stored session.
        var sessionPresent = (flags & 1) != 0;
        _sessionPresent = sessionPresent;
        lock (_gate)
        {
            if (_wantConnected)
            {
                SetState(MqttConnectionState.Connected);
            }

            // State first: a caller resuming from ConnectAsync must be able to publish straight away.
            _nextConnection.TrySetResult(new MqttConnectResult(sessionPresent));
        }

        Notify(new Notice(NoticeKind.StateChanged, new MqttConnectionEventArgs(MqttConnectionEventKind.Connected, _time.GetUtcNow(), sessionPresent: sessionPresent)));
        if (!sessionPresent && !_subscriptions.IsEmpty && _wantConnected)
        {
            Resubscribe();
        }
    }

    internal void OnNativeDisconnect(int rc, nint properties)
    {
        if (!_socketOpen)
        {
            return;
        }

        _socketOpen = false;
        var wasConnected = _connackReceived;
        _connackReceived = false;
        var requested = !_wantConnected || (rc == 0 && Volatile.Read(ref _disconnectIssued) == 1);
        var operation = wasConnected ? $"The connection to {_endpoint}" : $"Connecting to {_endpoint}";
        MqttException? error = null;
        if (!requested)
        {
            error = _pendingRefusal
                ?? (rc >= 0x80
                    ? MqttErrors.FromReasonCode(rc, operation, _v5 ? Mosquitto.ReadReasonString(properties) : null)
                    : MqttErrors.FromNative(NativeDisconnectCode(rc, wasConnected), operation, 0, NativeErrorDetail()));
        }

        _pendingRefusal = null;
        _pending.FailConnectionLoss(op => MqttErrors.ConnectionLost(op, error));
        if (requested)
        {
            // The loop sees !_wantConnected and completes the disconnect.
            return;
        }

        if (!wasConnected)
        {
            OnAttemptFailed(error!);
            return;
        }

        if (_time.GetElapsedTime(_connectedSince) >= _options.Reconnect.ResetAfter)
        {
            _attempt = 0;
        }

        _attempt++;
        Notify(new Notice(NoticeKind.StateChanged, new MqttConnectionEventArgs(MqttConnectionEventKind.Disconnected, _time.GetUtcNow(), error: error)));
        lock (_gate)
        {
            if (!_wantConnected)
            {
                return;
            }

            if (_options.Reconnect.Enabled)
            {
                SetState(MqttConnectionState.Connecting);
                if (_nextConnection.Task.IsCompleted)
                {
                    _nextConnection = new TaskCompletionSource<MqttConnectResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            else
            {
                _wantConnected = false;
                SetState(MqttConnectionState.Disconnected);
            }
        }
    }

    internal void OnNativeAcknowledge(int mid, int reasonCode, nint properties)
    {
        var reason = reasonCode >= 0x80 && _v5 ? Mosquitto.ReadReasonString(properties) : null;
        _pending.Acknowledge(mid, new AckData(reasonCode, reason), _time.GetTimestamp());
    }

    internal unsafe void OnNativeMessage(Interop.Libmosquitto.Message* message, nint properties)
    {
        var topic = _topics.Get(message->Topic);
        var payload = message->PayloadLength > 0 ? new ReadOnlySpan<byte>(message->Payload, message->PayloadLength).ToArray() : [];
        var userProperties = _v5 ? Mosquitto.ReadUserProperties(properties) : null;
        var m = new MqttMessage(topic, payload, (MqttQos)message->Qos, message->Retain != 0, userProperties);
        if (_messages.Deliver(m))
        {
            Notify(new Notice(NoticeKind.BufferFull));
        }
    }

    internal unsafe void OnNativeLog(int level, byte* text)
    {
        // Only errors and warnings are copied: libmosquitto formats every line before calling us, but building
        // managed strings for its per-packet debug lines would cost far more.
        if ((level & (Interop.Libmosquitto.LogErr | Interop.Libmosquitto.LogWarning)) == 0)
        {
            return;
        }

        var line = Mosquitto.Utf8(text);
        if ((level & Interop.Libmosquitto.LogErr) != 0)
        {
            // Kept for the exception of a failing connect: OpenSSL's reason for a TLS failure only appears here.
            _lastNativeError = line;
        }

        Notify(new Notice(NoticeKind.NativeWarning, Text: line));
    }

    internal void OnCallbackFailure(Exception ex) => Notify(new Notice(NoticeKind.CallbackFailed, Error: ex));

    private void Resubscribe()
    {
        var subscriptions = _subscriptions.Values.ToList();
        Notify(new Notice(NoticeKind.Resubscribing, Count: subscriptions.Count));
        foreach (var s in subscriptions)
        {
            // Not awaited: the loop thread must not wait. Failures are logged by the dispatcher.
            _ = StartSubscribe(s, CancellationToken.None).ContinueWith(
                static (t, state) =>
                {
                    var (client, filter) = ((MqttClient, string))state!;
                    if (t.IsCanceled)
                    {
                        return;
                    }

                    Exception? error = t.Exception?.InnerException;
                    if (error is null && t.Result >= MqttReasonCode.UnspecifiedError)
                    {
                        error = MqttErrors.SubscribeRefused([new MqttSubscribeResult(filter, t.Result)]);
                    }

                    if (error is not null)
                    {
                        client.Notify(new Notice(NoticeKind.ResubscribeFailed, Text: filter, Error: error));
                    }
                },
                (this, s.Filter),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private sealed class DueFlag(ManualResetEventSlim wake)
    {
        private volatile bool _fired;

        public bool Fired => _fired;

        public void Fire()
        {
            _fired = true;
            wake.Set();
        }
    }
}
