using System.Collections.Concurrent;

namespace Edge.Mqtt.Internal;

/// <summary>What libmosquitto told us about an acknowledged packet id.</summary>
/// <param name="ReasonCode">PUBACK/PUBCOMP reason code, SUBACK granted QoS or failure code, 0 for UNSUBACK and QoS 0.</param>
/// <param name="ReasonString">The broker's Reason String property, if any.</param>
internal readonly record struct AckData(int ReasonCode, string? ReasonString);

/// <summary>A publish, subscribe or unsubscribe waiting for its acknowledgement.</summary>
internal abstract class PendingOperation
{
    private CancellationTokenRegistration _registration;

    protected PendingOperation(long deadline, bool failOnConnectionLoss)
    {
        Deadline = deadline;
        FailOnConnectionLoss = failOnConnectionLoss;
    }

    /// <summary>TimeProvider timestamp after which the operation times out.</summary>
    internal long Deadline { get; }

    /// <summary>
    /// True when libmosquitto forgets the packet on reconnect (QoS 0, SUBSCRIBE, UNSUBSCRIBE), so no answer can
    /// come once the connection is gone. QoS 1/2 publishes are resent after reconnecting and stay pending.
    /// </summary>
    internal bool FailOnConnectionLoss { get; }

    /// <summary>When the caller stopped waiting (timeout, cancellation); the entry stays until the late ack or the sweep.</summary>
    internal long AbandonedAt { get; set; }

    internal abstract bool IsCompleted { get; }

    /// <summary>Completes from the acknowledgement; runs on the loop thread, so it only sets a task.</summary>
    internal abstract void Acknowledge(in AckData ack);

    internal abstract bool TryFail(Exception error);

    internal abstract bool TryCancel(CancellationToken token);

    internal void RegisterCancellation(CancellationToken token)
    {
        if (!token.CanBeCanceled)
        {
            return;
        }

        _registration = token.UnsafeRegister(static (state, t) => ((PendingOperation)state!).TryCancel(t), this);
        if (IsCompleted)
        {
            _registration.Unregister();
        }
    }

    /// <summary>
    /// Passes on whether a TrySet… call completed the task. The one call that did drops the cancellation callback, so
    /// a long-lived token does not collect them.
    /// </summary>
    protected bool Completed(bool completed)
    {
        if (completed)
        {
            _registration.Unregister();
        }

        return completed;
    }
}

internal sealed class PendingPublish : PendingOperation
{
    private readonly TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _topic;
    private readonly SemaphoreSlim _slots;
    private int _slotReleased;

    internal PendingPublish(string topic, MqttQos qos, long deadline, SemaphoreSlim slots)
        : base(deadline, failOnConnectionLoss: qos == MqttQos.AtMostOnce)
    {
        _topic = topic;
        _slots = slots;
    }

    internal Task Task => _tcs.Task;

    internal override bool IsCompleted => _tcs.Task.IsCompleted;

    internal string Operation => $"Publishing to '{_topic}'";

    internal override void Acknowledge(in AckData ack)
    {
        // 0x10 "no matching subscribers" is a success: the broker took the message.
        if (ack.ReasonCode < 0x80)
        {
            Complete(_tcs.TrySetResult());
        }
        else
        {
            Complete(_tcs.TrySetException(MqttErrors.FromReasonCode(ack.ReasonCode, Operation, ack.ReasonString)));
        }
    }

    internal override bool TryFail(Exception error) => Complete(_tcs.TrySetException(error));

    internal override bool TryCancel(CancellationToken token) => Complete(_tcs.TrySetCanceled(token));

    /// <summary>For a publish that never reached libmosquitto: give the slot back.</summary>
    internal void ReleaseSlot()
    {
        if (Interlocked.Exchange(ref _slotReleased, 1) == 0)
        {
            _slots.Release();
        }
    }

    private bool Complete(bool completed)
    {
        if (completed)
        {
            ReleaseSlot();
        }

        return Completed(completed);
    }
}

internal sealed class PendingSubscribe : PendingOperation
{
    private readonly TaskCompletionSource<MqttReasonCode> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PendingSubscribe(long deadline)
        : base(deadline, failOnConnectionLoss: true)
    {
    }

    internal Task<MqttReasonCode> Task => _tcs.Task;

    internal override bool IsCompleted => _tcs.Task.IsCompleted;

    internal override void Acknowledge(in AckData ack) => Completed(_tcs.TrySetResult((MqttReasonCode)ack.ReasonCode));

    internal override bool TryFail(Exception error) => Completed(_tcs.TrySetException(error));

    internal override bool TryCancel(CancellationToken token) => Completed(_tcs.TrySetCanceled(token));
}

internal sealed class PendingUnsubscribe : PendingOperation
{
    private readonly TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal PendingUnsubscribe(long deadline)
        : base(deadline, failOnConnectionLoss: true)
    {
    }

    internal Task Task => _tcs.Task;

    internal override bool IsCompleted => _tcs.Task.IsCompleted;

    internal override void Acknowledge(in AckData ack) => Completed(_tcs.TrySetResult());

    internal override bool TryFail(Exception error) => Completed(_tcs.TrySetException(error));

    internal override bool TryCancel(CancellationToken token) => Completed(_tcs.TrySetCanceled(token));
}

/// <summary>
/// Operations by libmosquitto message id (mid), with a lock-free rendezvous: the acknowledgement can arrive on the
/// loop thread before the publishing thread has learned its mid from mosquitto_publish and registered it, so
/// whichever side comes second completes the operation. Nobody blocks, so the loop thread never waits on a caller.
/// </summary>
internal sealed class PendingOperations
{
    private readonly ConcurrentDictionary<int, object> _byMid = new();
    private readonly long _freshness;
    private Func<PendingOperation, Exception>? _closed;

    /// <param name="operationTimeout">Operation timeout in timestamp ticks: an early ack is genuine only if it arrived
    /// at most this long before the operation's deadline, i.e. after the operation started.</param>
    internal PendingOperations(long operationTimeout)
    {
        _freshness = operationTimeout;
    }

    /// <summary>Entries (live, abandoned or early acknowledgements), for diagnostics.</summary>
    internal int Count => _byMid.Count;

    /// <summary>Publishing thread: the operation now has <paramref name="mid"/>.</summary>
    /// <returns>An operation that was superseded (same mid, never acknowledged), or null.</returns>
    internal PendingOperation? Register(int mid, PendingOperation op)
    {
        PendingOperation? superseded = null;
        while (true)
        {
            if (_byMid.TryAdd(mid, op))
            {
                // FailAll may have swept the table between the publish and this registration (a publish racing
                // DisposeAsync): nothing would ever complete the operation then, and its caller would wait forever.
                // A full fence (not an acquire) keeps this read after the add, against FailAll's store then sweep.
                if (Interlocked.CompareExchange(ref _closed, null, null) is { } closed && _byMid.TryRemove(new KeyValuePair<int, object>(mid, op)))
                {
                    op.TryFail(closed(op));
                }

                return superseded;
            }

            if (_byMid.TryRemove(mid, out var existing))
            {
                if (existing is EarlyAck early)
                {
                    if (early.At >= op.Deadline - _freshness)
                    {
                        op.Acknowledge(early.Data);
                        return superseded;
                    }

                    // A stale marker (an ack nobody claimed): it cannot belong to this operation.
                    continue;
                }

                // An abandoned operation whose packet id libmosquitto has reused: it will never be matched now.
                superseded = (PendingOperation)existing;
            }
        }
    }

    /// <summary>Loop thread: libmosquitto reports <paramref name="mid"/> acknowledged (or, for QoS 0, written).</summary>
    internal void Acknowledge(int mid, in AckData ack, long now)
    {
        EarlyAck? early = null;
        while (true)
        {
            if (_byMid.TryRemove(mid, out var existing))
            {
                if (existing is PendingOperation op)
                {
                    op.Acknowledge(ack);
                }

                return;
            }

            early ??= new EarlyAck(ack, now);
            if (_byMid.TryAdd(mid, early))
            {
                return;
            }
        }
    }

    /// <summary>Loop thread, after the connection ended: fails what can no longer be answered.</summary>
    internal void FailConnectionLoss(Func<string, Exception> error)
    {
        foreach (var entry in _byMid)
        {
            if (entry.Value is PendingOperation { FailOnConnectionLoss: true } op && _byMid.TryRemove(entry))
            {
                op.TryFail(error(op is PendingPublish p ? p.Operation : op is PendingSubscribe ? "Subscribing" : "Unsubscribing"));
            }
        }
    }

    /// <summary>Timer: times out operations past their deadline and forgets stale entries.</summary>
    /// <returns>How many operations timed out.</returns>
    internal int Sweep(long now, long abandonedRetention, long earlyAckRetention, Func<PendingOperation, Exception> timeout)
    {
        var timedOut = 0;
        foreach (var entry in _byMid)
        {
            switch (entry.Value)
            {
                case PendingOperation { AbandonedAt: 0 } op when now >= op.Deadline:
                    op.AbandonedAt = now;
                    if (op.TryFail(timeout(op)))
                    {
                        timedOut++;
                    }

                    break;
                case PendingOperation { AbandonedAt: > 0 } op when now - op.AbandonedAt > abandonedRetention:
                    _byMid.TryRemove(entry);
                    break;
                case PendingOperation { AbandonedAt: 0, IsCompleted: true } op:
                    // Cancelled by its caller: keep it for a late ack, but start the clock.
                    op.AbandonedAt = now;
                    break;
                case EarlyAck early when now - early.At > earlyAckRetention:
                    _byMid.TryRemove(entry);
                    break;
            }
        }

        return timedOut;
    }

    /// <summary>
    /// Fails every live operation but keeps the entries (abandoned): libmosquitto still holds QoS 1/2 messages and
    /// resends them on the next connect, and their late acknowledgements must find an entry rather than leave an
    /// early-ack marker that a reused packet id could mistake for its own.
    /// </summary>
    internal void AbandonAll(long now, Func<PendingOperation, Exception> error)
    {
        foreach (var entry in _byMid)
        {
            if (entry.Value is PendingOperation { AbandonedAt: 0 } op)
            {
                op.AbandonedAt = now;
                op.TryFail(error(op));
            }
        }
    }

    /// <summary>Fails every operation, now and any registered later: the client is closing for good.</summary>
    internal void FailAll(Func<PendingOperation, Exception> error)
    {
        // Published before the sweep, so that a registration either is swept or sees the flag (or both; failing twice is harmless).
        Interlocked.CompareExchange(ref _closed, error, null);
        foreach (var entry in _byMid)
        {
            if (_byMid.TryRemove(entry) && entry.Value is PendingOperation op)
            {
                op.TryFail(error(op));
            }
        }
    }

    private sealed record EarlyAck(AckData Data, long At);
}
