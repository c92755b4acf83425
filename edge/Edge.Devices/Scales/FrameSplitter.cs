namespace Edge.Devices.Scales;

/// <summary>How a byte stream is cut into frames.</summary>
public enum FramingMode
{
    /// <summary>Lines: CR or LF ends a frame; the terminators are not part of it and empty lines are skipped.</summary>
    Line,

    /// <summary>A start byte opens a frame, an end byte closes it, and a fixed number of trailer bytes (a checksum) may follow.</summary>
    Delimited,
}

/// <summary>Framing of a serial or TCP indicator stream (configuration section <c>Framing</c>).</summary>
public sealed class FramingOptions
{
    /// <summary>Line or delimited. Default <see cref="FramingMode.Line"/>.</summary>
    public FramingMode Mode { get; set; } = FramingMode.Line;

    /// <summary>For <see cref="FramingMode.Delimited"/>: the byte that opens a frame. Default STX (0x02).</summary>
    public byte StartByte { get; set; } = 0x02;

    /// <summary>For <see cref="FramingMode.Delimited"/>: the byte that closes a frame. Default ETX (0x03).</summary>
    public byte EndByte { get; set; } = 0x03;

    /// <summary>For <see cref="FramingMode.Delimited"/>: bytes after the end byte that still belong to the frame (0–4), e.g. 1 for a checksum.</summary>
    public int TrailerLength { get; set; }

    /// <summary>The longest frame accepted, terminators included (8–4096). Longer runs are counted as oversize and dropped. Default 128.</summary>
    public int MaxFrameLength { get; set; } = 128;

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireDefined(path, nameof(Mode), Mode);
        e.RequireRange(path, nameof(TrailerLength), TrailerLength, 0, 4);
        e.RequireRange(path, nameof(MaxFrameLength), MaxFrameLength, 8, 4096);
        if (Mode == FramingMode.Delimited && StartByte == EndByte)
        {
            e.Add(path, nameof(EndByte), "must differ from " + nameof(StartByte));
        }

        return e.Errors;
    }
}

/// <summary>
/// Cuts a byte stream into frames without allocating: bytes go in as they arrive from the port, complete frames
/// come out. Resynchronises after garbage (bytes before a start byte are discarded and counted), treats a start byte
/// inside a frame as the start of a new frame (the cut-short one is counted as truncated) and bounds frame length
/// (a run without an end byte is counted as oversize and dropped). Not thread-safe: one reader loop owns it.
/// </summary>
public sealed class FrameSplitter
{
    private readonly FramingOptions _options;
    private readonly FrameCounters _counters;
    private readonly byte[] _buffer;
    private int _length;
    private int _trailerRemaining;
    private State _state;
    private bool _frameHandedOut;

    /// <summary>Creates a splitter.</summary>
    /// <param name="options">The framing; validated here.</param>
    /// <param name="counters">Where truncated and oversize frames and discarded bytes are counted.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public FrameSplitter(FramingOptions options, FrameCounters counters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(counters);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Framing"));
        _options = options;
        _counters = counters;
        _buffer = new byte[options.MaxFrameLength + options.TrailerLength];
        _state = options.Mode == FramingMode.Line ? State.InFrame : State.Hunting;
    }

    private enum State
    {
        Hunting,
        InFrame,
        Trailer,
        SkippingLine,
    }

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> until a frame completes or the input is used up.
    /// </summary>
    /// <param name="input">The unconsumed bytes; advanced past what was consumed.</param>
    /// <param name="frame">The complete frame, valid until the next call.</param>
    /// <returns><see langword="true"/> when a frame completed; call again with the rest of the input.</returns>
    /// <example>
    /// <code>
    /// var rest = received.AsSpan(0, n);
    /// while (splitter.TryReadFrame(ref rest, out var frame)) { Handle(frame); }
    /// </code>
    /// </example>
    public bool TryReadFrame(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        if (_frameHandedOut)
        {
            _length = 0;
            _frameHandedOut = false;
        }

        var i = 0;
        var discarded = 0;
        var complete = false;
        while (i < input.Length && !complete)
        {
            var b = input[i++];
            complete = _options.Mode == FramingMode.Line ? StepLine(b, ref discarded) : StepDelimited(b, ref discarded);
        }

        if (discarded > 0)
        {
            _counters.CountDiscarded(discarded);
        }

        input = input[i..];
        if (complete)
        {
            frame = _buffer.AsSpan(0, _length);
            _frameHandedOut = true;
            return true;
        }

        frame = default;
        return false;
    }

    /// <summary>Drops a partial frame, e.g. after the port was reopened: what follows cannot continue it.</summary>
    public void Reset()
    {
        if (_length > 0 && !_frameHandedOut)
        {
            _counters.CountRejected(FrameRejection.Truncated);
        }

        _length = 0;
        _frameHandedOut = false;
        _state = _options.Mode == FramingMode.Line ? State.InFrame : State.Hunting;
    }

    private bool StepLine(byte b, ref int discarded)
    {
        var terminator = b is (byte)'\r' or (byte)'\n';
        if (_state == State.SkippingLine)
        {
            discarded++;
            if (terminator)
            {
                _state = State.InFrame;
                _length = 0;
            }

            return false;
        }

        if (terminator)
        {
            // CR LF yields one frame and an empty one; empty ones are not frames.
            return _length > 0;
        }

        if (_length >= _options.MaxFrameLength)
        {
            _counters.CountRejected(FrameRejection.Oversize);
            discarded += _length + 1;
            _length = 0;
            _state = State.SkippingLine;
            return false;
        }

        _buffer[_length++] = b;
        return false;
    }

    private bool StepDelimited(byte b, ref int discarded)
    {
        switch (_state)
        {
            case State.Hunting:
                if (b == _options.StartByte)
                {
                    _buffer[0] = b;
                    _length = 1;
                    _state = State.InFrame;
                }
                else
                {
                    discarded++;
                }

                return false;

            case State.InFrame:
                if (b == _options.StartByte)
                {
                    // A new start before the end: the previous frame lost its tail (a dropped byte or a reconnect).
                    _counters.CountRejected(FrameRejection.Truncated);
                    _buffer[0] = b;
                    _length = 1;
                    return false;
                }

                if (_length >= _options.MaxFrameLength)
                {
                    _counters.CountRejected(FrameRejection.Oversize);
                    discarded += _length + 1;
                    _length = 0;
                    _state = State.Hunting;
                    return false;
                }

                _buffer[_length++] = b;
                if (b != _options.EndByte)
                {
                    return false;
                }

                if (_options.TrailerLength == 0)
                {
                    _state = State.Hunting;
                    return true;
                }

                _trailerRemaining = _options.TrailerLength;
                _state = State.Trailer;
                return false;

            case State.Trailer:
                // Any value is allowed here: a checksum byte may well equal the start byte.
                _buffer[_length++] = b;
                if (--_trailerRemaining > 0)
                {
                    return false;
                }

                _state = State.Hunting;
                return true;

            default:
                discarded++;
                return false;
        }
    }
}
