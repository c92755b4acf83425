using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Edge.Mqtt.Internal;

/// <summary>
/// The bounded buffer between the loop thread (single writer) and the application (readers). The loop thread never
/// waits on it: with <see cref="MqttOverflowPolicy.Wait"/> a message that does not fit is set aside in a spill
/// queue and <see cref="IsPaused"/> tells the loop to stop reading the socket until readers make room; the spill
/// holds at most what one mosquitto_loop read delivered after the buffer filled.
/// </summary>
/// <remarks>
/// With <see cref="MqttOverflowPolicy.Wait"/> nothing is lost by pausing, so an overflow episode (one log line) lasts
/// until readers have caught up and emptied the buffer, not until the next resume: a consumer that stays behind
/// under a flood (the hub replaying a backlog) pauses the loop after nearly every message, and a warning each time
/// would cost more than the consumer's work.
/// </remarks>
internal sealed class MessageBuffer
{
    private readonly Channel<MqttMessage> _channel;
    private readonly Queue<MqttMessage> _spill = new();
    private readonly MqttOverflowPolicy _policy;
    private readonly Action _onRoom;
    private long _dropped;
    private volatile bool _paused;
    private bool _overflowing;

    internal MessageBuffer(int capacity, MqttOverflowPolicy policy, Action onRoom)
    {
        _policy = policy;
        _onRoom = onRoom;
        var options = new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            SingleReader = false,

            // Reader continuations must never run on the loop thread.
            AllowSynchronousContinuations = false,
            FullMode = policy == MqttOverflowPolicy.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        };
        _channel = policy == MqttOverflowPolicy.DropOldest
            ? Channel.CreateBounded<MqttMessage>(options, _ => Interlocked.Increment(ref _dropped))
            : Channel.CreateBounded<MqttMessage>(options);
        Reader = new SignallingReader(this);
    }

    internal ChannelReader<MqttMessage> Reader { get; }

    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Wait policy only: the buffer is full and the loop must not read the socket.</summary>
    internal bool IsPaused => _paused;

    /// <summary>Loop thread. Returns true when this message starts an overflow episode (for a single log line).</summary>
    internal bool Deliver(MqttMessage message)
    {
        var droppedBefore = _policy == MqttOverflowPolicy.DropOldest ? Dropped : 0;
        if (_spill.Count == 0 && _channel.Writer.TryWrite(message))
        {
            // DropOldest always accepts the write; the channel's itemDropped callback (run inside TryWrite) counts the loss.
            if (_policy == MqttOverflowPolicy.DropOldest && Dropped > droppedBefore)
            {
                return StartOverflow();
            }

            if (_policy != MqttOverflowPolicy.Wait || _channel.Reader.Count == 1)
            {
                _overflowing = false;
            }

            return false;
        }

        switch (_policy)
        {
            case MqttOverflowPolicy.DropNewest:
                Interlocked.Increment(ref _dropped);
                break;
            default:
                _spill.Enqueue(message);
                _paused = true;
                break;
        }

        return StartOverflow();
    }

    /// <summary>Loop thread: moves set-aside messages into the buffer; true (and unpaused) once none are left.</summary>
    internal bool TryDrainSpill()
    {
        while (_spill.Count > 0 && _channel.Writer.TryWrite(_spill.Peek()))
        {
            _spill.Dequeue();
        }

        if (_spill.Count == 0)
        {
            _paused = false;
            return true;
        }

        return false;
    }

    /// <summary>Loop thread, once at exit: readers drain what is buffered, then see completion.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    private bool StartOverflow()
    {
        if (_overflowing)
        {
            return false;
        }

        _overflowing = true;
        return true;
    }

    private void OnRead()
    {
        if (_paused)
        {
            _onRoom();
        }
    }

    /// <summary>Passes everything through and wakes a paused loop when a read makes room.</summary>
    [SuppressMessage("Performance", "CA1812", Justification = "Instantiated by MessageBuffer.")]
    private sealed class SignallingReader(MessageBuffer owner) : ChannelReader<MqttMessage>
    {
        private readonly ChannelReader<MqttMessage> _inner = owner._channel.Reader;

        public override Task Completion => _inner.Completion;

        public override bool CanCount => true;

        public override int Count => _inner.Count;

        public override bool CanPeek => true;

        public override bool TryRead([MaybeNullWhen(false)] out MqttMessage item)
        {
            if (_inner.TryRead(out item))
            {
                owner.OnRead();
                return true;
            }

            return false;
        }

        public override bool TryPeek([MaybeNullWhen(false)] out MqttMessage item) => _inner.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
    }
}
