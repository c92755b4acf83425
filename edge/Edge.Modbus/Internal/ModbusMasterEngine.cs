using Microsoft.Extensions.Logging;

namespace Edge.Modbus.Internal;

/// <summary>
/// Owns one libmodbus master context and runs its transactions one at a time. Requests queue per unit id and are
/// served round-robin across units (FIFO within a unit), so a busy unit cannot starve the others. After a timeout
/// the next pick goes to a unit that has not just timed out, if one is waiting: a request to a live unit therefore
/// waits for at most one dead unit's response timeout, however many requests to dead units are queued.
/// </summary>
/// <remarks>
/// <para>Queued transactions run on a dedicated thread: libmodbus blocks in select() for up to the response timeout,
/// and a dead unit must not tie up thread-pool threads. Callers await a task completed from that thread with
/// continuations forced onto the pool, so caller code never runs on (or blocks) the link's thread.</para>
/// <para>Fast path: when nothing is queued or running, the link is open and the unit answered last time, a request
/// made from a thread-pool thread runs right there, as <c>Task.Run</c> would, minus two thread hand-offs. That is a
/// single round trip on a healthy link; a unit that timed out, a closed link or any queue sends requests back to the
/// dedicated thread.</para>
/// <para>Recovery after a failure (close, flush) happens before the caller's task completes.</para>
/// </remarks>
internal sealed class ModbusMasterEngine : IDisposable
{
    // A plain object, not System.Threading.Lock: the worker sleeps in Monitor.Wait on it.
    private readonly object _lock = new();
    private readonly Queue<ModbusTransaction>?[] _queues = new Queue<ModbusTransaction>?[256];
    private readonly LinkedList<byte> _turns = new();
    private readonly bool[] _suspect = new bool[256];
    private readonly ModbusContext _context;
    private readonly ModbusTransport _transport;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private bool _busy;
    private bool _previousTimedOut;
    private volatile bool _connected;
    private int _disposed;

    internal ModbusMasterEngine(ModbusContext context, ModbusTransport transport, ILogger logger)
    {
        _context = context;
        _transport = transport;
        _logger = logger;
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"modbus {context.Description}",
        };
        _thread.Start();
    }

    internal string Description => _context.Description;

    internal bool IsConnected => _connected;

    internal Task<TResult> Enqueue<TState, TResult>(byte unitId, TState state, Func<ModbusContext, byte, TState, TResult> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var t = new ModbusTransaction<TState, TResult>(unitId, state, work);
        var inline = false;
        lock (_lock)
        {
            if (_stopping)
            {
                t.Abandon(new ObjectDisposedException(_context.Description));
                return t.Task;
            }

            if (!_busy && _turns.First is null && _connected && !_suspect[unitId] && Thread.CurrentThread.IsThreadPoolThread)
            {
                _busy = true;
                inline = true;
            }
            else
            {
                t.RegisterCancellation(cancellationToken);
                var q = _queues[unitId] ??= new Queue<ModbusTransaction>();
                q.Enqueue(t);
                if (q.Count == 1)
                {
                    _turns.AddLast(unitId);
                }

                Monitor.PulseAll(_lock);
            }
        }

        if (inline)
        {
            try
            {
                t.TryStart();
                RunOne(t);
            }
            finally
            {
                Release();
            }
        }

        return t.Task;
    }

    /// <summary>Picks the next queued transaction and marks the link busy; null once stopping and idle.</summary>
    private ModbusTransaction? Take()
    {
        lock (_lock)
        {
            while (true)
            {
                while (_busy || _turns.First is null)
                {
                    if (_stopping && !_busy)
                    {
                        // Whatever is still queued was abandoned below; nothing runs inline any more.
                        return null;
                    }

                    Monitor.Wait(_lock);
                }

                var node = _turns.First;
                if (_previousTimedOut)
                {
                    // Give the turn to the first unit that did not time out last time, if one is waiting.
                    for (var n = _turns.First; n is not null; n = n.Next)
                    {
                        if (!_suspect[n.Value])
                        {
                            node = n;
                            break;
                        }
                    }
                }

                var unit = node.Value;
                _turns.Remove(node);
                var q = _queues[unit]!;
                var t = q.Dequeue();
                if (q.Count > 0)
                {
                    _turns.AddLast(node);
                }

                if (_stopping)
                {
                    t.Abandon(new ObjectDisposedException(_context.Description));
                    continue;
                }

                if (t.TryStart())
                {
                    _busy = true;
                    return t;
                }

                // Cancelled while queued: its caller has already been told; take the next one.
            }
        }
    }

    private void Release()
    {
        lock (_lock)
        {
            _busy = false;
            Monitor.PulseAll(_lock);
        }
    }

    private void Run()
    {
        try
        {
            while (Take() is { } t)
            {
                try
                {
                    RunOne(t);
                }
                finally
                {
                    Release();
                }
            }
        }
        finally
        {
            _context.Close();
            _connected = false;
            _stopped.TrySetResult();
        }
    }

    /// <summary>Runs one transaction while holding the link (<see cref="_busy"/>), recovers, then completes it.</summary>
    private void RunOne(ModbusTransaction t)
    {
        Exception? error = null;
        try
        {
            EnsureConnected();
            _context.SetSlave(t.UnitId);
            if (_transport == ModbusTransport.Rtu)
            {
                // A late reply from a slow unit may have arrived since the last transaction; on a serial line it
                // would be read as this request's reply. tcflush costs microseconds.
                _context.Flush();
            }

            t.Execute(_context);
            _previousTimedOut = false;
            _suspect[t.UnitId] = false;
        }
        catch (Exception ex)
        {
            error = ex;
            Recover(t.UnitId, ex);
        }

        if (error is null)
        {
            t.Succeed();
        }
        else
        {
            t.Fail(error);
        }
    }

    private void EnsureConnected()
    {
        if (_connected)
        {
            return;
        }

        try
        {
            _context.Connect();
        }
        catch (ModbusConnectionException ex)
        {
            Log.ConnectFailed(_logger, _context.Description, ex.NativeErrorCode, ex.NativeMessage);
            throw;
        }

        _connected = true;
        Log.Connected(_logger, _context.Description);
    }

    private void Recover(byte unitId, Exception error)
    {
        if (error is not ModbusIOException mex || error is ModbusException)
        {
            _previousTimedOut = false;
            _suspect[unitId] = false;
            return;
        }

        if (!_connected)
        {
            // The connect itself failed; nothing is open.
            return;
        }

        var kind = ModbusErrors.Classify(mex.NativeErrorCode);
        _previousTimedOut = kind == ModbusFailureKind.Timeout;
        _suspect[unitId] = kind == ModbusFailureKind.Timeout;
        switch (kind)
        {
            case ModbusFailureKind.Link:
                Drop(mex);
                break;
            case ModbusFailureKind.Timeout or ModbusFailureKind.Framing when _transport == ModbusTransport.Tcp:
                // On TCP a late reply would desynchronize the stream (transaction ids no longer match) and a silent
                // peer may be a half-open connection: start over on a fresh connection.
                Drop(mex);
                break;
            case ModbusFailureKind.Timeout or ModbusFailureKind.Framing:
                Log.UnitFailed(_logger, _context.Description, unitId, mex.NativeErrorCode, mex.NativeMessage);
                try
                {
                    _context.Flush();
                }
                catch (ModbusIOException flushError)
                {
                    Drop(flushError);
                }

                break;
        }
    }

    private void Drop(ModbusIOException cause)
    {
        _context.Close();
        _connected = false;
        Log.ConnectionDropped(_logger, _context.Description, cause.NativeErrorCode, cause.NativeMessage);
    }

    /// <summary>Stops taking requests, fails the queued ones, lets the running one finish, then closes the link.</summary>
    internal Task StopAsync()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }

        return _stopped.Task;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ = StopAsync();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _context.Dispose();
    }

    internal async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync();
        _context.Dispose();
    }
}

/// <summary>Which recovery rules apply to a master context.</summary>
internal enum ModbusTransport
{
    Tcp,
    Rtu,
}
