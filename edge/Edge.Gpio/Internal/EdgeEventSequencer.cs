namespace Edge.Gpio.Internal;

/// <summary>
/// Turns kernel edge events into <see cref="GpioEdgeEvent"/>s: numbers them, flags where events may be missing and
/// applies the software debounce. Pure logic, driven by the pump thread only.
/// </summary>
/// <remarks>
/// libgpiod v1 cannot report kernel queue overflow: the v1 uAPI has no sequence numbers and the kernel drops events
/// silently when its 16-entry queue is full. What can be inferred is inferred: with both edges requested, edges must
/// alternate, so two equal edges in a row prove a loss (<see cref="GpioGap.Certain"/>); a read that returns a full
/// queue may have been preceded by drops (<see cref="GpioGap.Possible"/> on the next event). The v2 uAPI (libgpiod 2)
/// carries per-line and global sequence numbers and is the real fix.
/// </remarks>
internal sealed class EdgeEventSequencer
{
    private readonly int _offset;
    private readonly GpioEdge _requested;
    private readonly long _debounceNs;
    private GpioEdge? _expectedNext;
    private long? _lastDeliveredNs;
    private long _sequence;
    private GpioGap _pendingGap;

    /// <param name="offset">Line offset, copied into each event.</param>
    /// <param name="requested">The edges requested.</param>
    /// <param name="debounce">Minimum spacing between delivered events; zero disables.</param>
    /// <param name="initiallyActive">The line's level right after the request, if known: with both edges requested
    /// the first event must then be the opposite edge.</param>
    internal EdgeEventSequencer(int offset, GpioEdge requested, TimeSpan debounce, bool? initiallyActive)
    {
        _offset = offset;
        _requested = requested;
        _debounceNs = debounce.Ticks * 100;
        if (requested == GpioEdge.Both && initiallyActive is { } active)
        {
            _expectedNext = active ? GpioEdge.Falling : GpioEdge.Rising;
        }
    }

    // Counters are written by the pump thread and read by anyone; Interlocked keeps 64-bit reads whole on armhf.
    private long _eventsRead;
    private long _eventsDebounced;
    private long _missedEdges;
    private long _fullKernelReads;

    internal long EventsRead => Interlocked.Read(ref _eventsRead);

    internal long EventsDebounced => Interlocked.Read(ref _eventsDebounced);

    internal long MissedEdges => Interlocked.Read(ref _missedEdges);

    internal long FullKernelReads => Interlocked.Read(ref _fullKernelReads);

    /// <summary>Processes one read from the kernel, calling <paramref name="deliver"/> for each event to pass on.</summary>
    /// <param name="batch">The events of the read, oldest first.</param>
    /// <param name="kernelQueueCapacity">Size of the kernel queue; a read this large may have followed drops.</param>
    /// <param name="deliver">Receives each event; returns false when the event could not be queued.</param>
    internal void Process(ReadOnlySpan<GpioRawEvent> batch, int kernelQueueCapacity, Func<GpioEdgeEvent, bool> deliver)
    {
        foreach (var raw in batch)
        {
            Interlocked.Increment(ref _eventsRead);
            var gap = _pendingGap;
            if (_requested == GpioEdge.Both)
            {
                if (_expectedNext is { } expected && raw.Edge != expected)
                {
                    Interlocked.Increment(ref _missedEdges);
                    gap = GpioGap.Certain;
                }

                _expectedNext = raw.Edge == GpioEdge.Rising ? GpioEdge.Falling : GpioEdge.Rising;
            }

            if (_debounceNs > 0 && _lastDeliveredNs is { } last && raw.TimestampNanoseconds - last < _debounceNs)
            {
                // A dropped bounce still carries any gap forward to the next delivered event.
                Interlocked.Increment(ref _eventsDebounced);
                _pendingGap = gap;
                continue;
            }

            var e = new GpioEdgeEvent(_offset, raw.Edge, raw.TimestampNanoseconds, _sequence + 1, gap);
            _pendingGap = GpioGap.None;
            _lastDeliveredNs = raw.TimestampNanoseconds;
            if (deliver(e))
            {
                _sequence++;
            }
            else
            {
                // The reader's queue was full: the next delivered event follows a certain loss.
                _pendingGap = GpioGap.Certain;
            }
        }

        if (batch.Length >= kernelQueueCapacity)
        {
            Interlocked.Increment(ref _fullKernelReads);
            if (_pendingGap == GpioGap.None)
            {
                _pendingGap = GpioGap.Possible;
            }
        }
    }
}
