using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edge.Gpio.Internal;
using Microsoft.Extensions.Logging;

namespace Edge.Gpio;

/// <summary>
/// A requested input line. Edge events are read by a dedicated pump thread (gpiod_line_event_wait +
/// gpiod_line_event_read_multiple) and queued in <see cref="Events"/>; the pump never waits for the reader, so the
/// kernel queue keeps draining and any loss is flagged and counted instead of hidden.
/// </summary>
public sealed class GpioInputLine : IDisposable, IAsyncDisposable
{
    private readonly GpioChip _chip;
    private readonly IGpioLineBackend _backend;
    private readonly Channel<GpioEdgeEvent>? _events;
    private readonly EdgeEventSequencer? _sequencer;
    private readonly Thread? _pump;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly Lock _valueLock = new();
    private volatile bool _stopping;
    private long _delivered;
    private long _dropped;
    private int _disposed;

    internal GpioInputLine(GpioChip chip, IGpioLineBackend backend, int offset, GpioEdge edge, GpioInputOptions options, ILogger logger, TimeSpan pollInterval)
    {
        _chip = chip;
        _backend = backend;
        _logger = logger;
        _pollInterval = pollInterval;
        Offset = offset;
        Edge = edge;
        if (edge == GpioEdge.None)
        {
            return;
        }

        // The level right after the request tells which edge must come first when both are watched.
        bool? initiallyActive = edge == GpioEdge.Both ? backend.GetValue() : null;
        _sequencer = new EdgeEventSequencer(offset, edge, options.Debounce, initiallyActive);
        _events = Channel.CreateBounded<GpioEdgeEvent>(new BoundedChannelOptions(options.EventQueueCapacity)
        {
            SingleReader = false,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = new Thread(Pump)
        {
            IsBackground = true,
            Name = $"gpio-events {chip.RequestedName}:{offset}",
        };
        _pump.Start();
    }

    /// <summary>Line offset on its chip.</summary>
    public int Offset { get; }

    /// <summary>The edges requested.</summary>
    public GpioEdge Edge { get; }

    /// <summary>
    /// Edge events, oldest first. Completes with a <see cref="GpioException"/> if the line fails (e.g. the chip is
    /// removed) and completes normally when the line is disposed. <see cref="ChannelReader{T}.WaitToReadAsync"/> and
    /// <see cref="ChannelReader{T}.ReadAllAsync"/> rethrow that exception as is; <see cref="ChannelReader{T}.ReadAsync"/>
    /// wraps it in a <see cref="ChannelClosedException"/> (its InnerException).
    /// </summary>
    /// <exception cref="InvalidOperationException">The line was requested with <see cref="GpioEdge.None"/>.</exception>
    public ChannelReader<GpioEdgeEvent> Events => _events?.Reader
        ?? throw new InvalidOperationException($"Line {Offset} was requested without edge detection; request it with an edge to read events.");

    /// <summary>Counters for health pages and loss alarms.</summary>
    public GpioLineStatistics Statistics
    {
        get
        {
            var s = _sequencer;
            return s is null
                ? default
                : new GpioLineStatistics(s.EventsRead, Interlocked.Read(ref _delivered), s.EventsDebounced, s.MissedEdges, s.FullKernelReads, Interlocked.Read(ref _dropped));
        }
    }

    /// <summary>Reads events until the line is disposed or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<GpioEdgeEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = Events;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var e))
            {
                yield return e;
            }
        }
    }

    /// <summary>The line's current logical level (after active-low inversion).</summary>
    public bool Read()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_valueLock)
        {
            return _backend.GetValue();
        }
    }

    /// <summary>Stops the pump (within one poll interval, 100 ms) and releases the line.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;

        // The pump must be out of gpiod_line_event_wait before the line is released under it.
        if (_pump is not null && _pump.IsAlive && _pump != Thread.CurrentThread)
        {
            _pump.Join();
        }

        _events?.Writer.TryComplete();
        lock (_valueLock)
        {
            _backend.Dispose();
        }

        _chip.Forget(this);
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Pump()
    {
        var batch = new GpioRawEvent[_backend.KernelQueueCapacity];
        try
        {
            while (!_stopping)
            {
                if (!_backend.WaitForEvents(_pollInterval) || _stopping)
                {
                    continue;
                }

                var n = _backend.ReadEvents(batch);
                _sequencer!.Process(batch.AsSpan(0, n), _backend.KernelQueueCapacity, Deliver);
            }
        }
        catch (GpioException ex)
        {
            Log.LineFailed(_logger, ex, _chip.RequestedName, Offset);
            _events!.Writer.TryComplete(ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var error = new GpioException($"GPIO chip '{_chip.RequestedName}' line {Offset}: the event pump failed unexpectedly.", ex);
            Log.LineFailed(_logger, error, _chip.RequestedName, Offset);
            _events!.Writer.TryComplete(error);
        }
    }

    private bool Deliver(GpioEdgeEvent e)
    {
        if (_events!.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _delivered);
            return true;
        }

        if (Interlocked.Increment(ref _dropped) == 1)
        {
            Log.EventsDropped(_logger, _chip.RequestedName, Offset);
        }

        return false;
    }
}
