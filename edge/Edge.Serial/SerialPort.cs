using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Edge.Serial.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Serial;

/// <summary>
/// An open serial port: a UART or USB-serial adapter through libserialport, or a pseudo-terminal (socat bridge)
/// through termios. A dedicated receive thread waits on the device with poll and hands bytes to the readers, so
/// no read ever blocks a thread-pool thread and cancellation takes effect at once.
/// </summary>
/// <remarks>
/// Concurrency: one read (<see cref="ReadAsync"/>, <see cref="ReadFrameAsync"/>, <see cref="ReadLineAsync"/>) at a
/// time; writes may come from any thread and are serialized. All members are safe to call concurrently with
/// <see cref="Dispose"/>, after which they throw <see cref="ObjectDisposedException"/>.
/// Disappearance: a tty that hangs up (USB adapter unplugged, socat killed) polls POLLHUP or reads end-of-file; the
/// receive thread then completes the port with <see cref="SerialPortDisconnectedException"/>. Bytes received before
/// that are still delivered first; every later read and write throws.
/// </remarks>
public sealed class SerialPort : IDisposable, IAsyncDisposable
{
    /// <summary>Frames longer than this (without a terminator) are discarded unless a call says otherwise.</summary>
    public const int DefaultMaxFrameLength = 4096;

    private const int ReceiveChunkSize = 4096;
    private const int ReceiveQueueChunks = 256;

    // Three zero-byte reads in a row on a descriptor that polls readable is end-of-file even where the driver
    // forgets POLLHUP (libserialport cannot tell "nothing yet" from end-of-file; a spurious wake-up never repeats).
    private const int ZeroReadsMeaningEndOfFile = 3;

    private readonly ISerialBackend _backend;
    private readonly WakeEvent _wake;
    private readonly Channel<byte[]> _received;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _receiveThread;
    private readonly ReceiveBuffer _buffer = new();
    private readonly Lock _writeLock = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private SerialPortSettings _settings;
    private volatile SerialPortException? _fault;
    private int _readInProgress;
    private int _disposed;

    private SerialPort(string path, string devicePath, ISerialBackend backend, SerialPortSettings settings, ILogger logger, TimeProvider timeProvider)
    {
        Path = path;
        DevicePath = devicePath;
        _backend = backend;
        _settings = settings;
        _logger = logger;
        _timeProvider = timeProvider;
        _wake = WakeEvent.Create(path);
        _received = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(ReceiveQueueChunks)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _receiveThread = new Thread(ReceiveLoop)
        {
            IsBackground = true,
            Name = "serial-rx " + System.IO.Path.GetFileName(devicePath),
        };
    }

    /// <summary>The port as the caller named it (e.g. /dev/serial/by-id/usb-FTDI_…-if00-port0).</summary>
    public string Path { get; }

    /// <summary>The device the name resolved to when opened (e.g. /dev/ttyUSB0).</summary>
    public string DevicePath { get; }

    /// <summary>True for a pseudo-terminal, where data bits and parity are accepted but not carried.</summary>
    public bool IsPseudoTerminal => _backend.IgnoresCharacterFormat;

    /// <summary>The settings last applied.</summary>
    public SerialPortSettings Settings => _settings with { };

    /// <summary>False once the device has disappeared or the port was disposed.</summary>
    public bool IsConnected => _fault is null && Volatile.Read(ref _disposed) == 0;

    /// <summary>
    /// Opens and configures a port. Blocking but quick (an open and a tcsetattr); call it from a host's StartAsync.
    /// </summary>
    /// <param name="path">Device path or a symlink to one (udev /dev/serial/by-id names, socat links).</param>
    /// <param name="settings">Line settings; default 9600 8N1 without flow control.</param>
    /// <param name="logger">Receives open, close and disconnect events.</param>
    /// <param name="timeProvider">Clock for read timeouts; the system clock by default.</param>
    /// <exception cref="SerialPortException">The device does not exist, is busy, or rejected the settings.</exception>
    public static SerialPort Open(string path, SerialPortSettings? settings = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        settings ??= new SerialPortSettings();
        settings.ThrowIfInvalid();

        // Resolve links first: libserialport 0.1.1 derives the sysfs name from the path text and so rejects
        // /dev/serial/by-id/… links, and a pty is recognised by its canonical /dev/pts/N name.
        var devicePath = Interop.Libc.TryRealPath(path, out var errno);
        if (devicePath is null && new FileInfo(path).LinkTarget is { } target)
        {
            throw SerialProxy.SystemError(path, "realpath", errno,
                $"The link points to {target}, which no longer exists (adapter unplugged, or the socat bridge stopped).");
        }

        devicePath ??= path;
        ISerialBackend backend = devicePath.StartsWith("/dev/pts/", StringComparison.Ordinal)
            ? PseudoTerminalBackend.Open(path, devicePath)
            : LibserialportBackend.Open(path, devicePath);
        return Start(path, devicePath, backend, settings, logger ?? NullLogger.Instance, timeProvider ?? TimeProvider.System);
    }

    /// <summary>The serial ports libserialport finds in sysfs (pseudo-terminals are never listed).</summary>
    public static IReadOnlyList<SerialPortDescription> ListPorts() => SerialPortDescription.List();

    /// <summary>
    /// What libserialport knows about one port (resolving /dev/serial/by-id links), without opening it.
    /// </summary>
    /// <exception cref="SerialPortException">libserialport does not know the device (missing, or a pseudo-terminal).</exception>
    public static SerialPortDescription Describe(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return SerialPortDescription.Describe(path);
    }

    internal static SerialPort Start(string path, string devicePath, ISerialBackend backend, SerialPortSettings settings, ILogger logger, TimeProvider timeProvider)
    {
        SerialPort? port = null;
        try
        {
            backend.Apply(settings);
            VerifyApplied(path, backend, settings);
            port = new SerialPort(path, devicePath, backend, settings with { }, logger, timeProvider);
            port._receiveThread.Start();
            Log.PortOpened(logger, path, devicePath, backend.Kind, settings);
            return port;
        }
        catch
        {
            if (port is not null)
            {
                port._wake.Dispose();
                port._stopping.Dispose();
            }

            backend.Dispose();
            throw;
        }
    }

    /// <summary>Applies new line settings (one tcsetattr) and checks that the driver accepted them.</summary>
    public void Configure(SerialPortSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.ThrowIfInvalid();
        lock (_writeLock)
        {
            ThrowIfUnusable();
            _backend.Apply(settings);
            VerifyApplied(Path, _backend, settings);
            _settings = settings with { };
        }
    }

    /// <summary>Chunks the receive thread has queued and no reader has taken yet (for tests).</summary>
    internal int QueuedChunks => _received.Reader.Count;

    /// <summary>The settings the driver reports now (read back with tcgetattr / sp_get_config).</summary>
    internal SerialPortSettings ReadBackSettings()
    {
        lock (_writeLock)
        {
            ThrowIfUnusable();
            return _backend.ReadBack();
        }
    }

    /// <summary>
    /// Reads whatever has arrived, waiting up to <paramref name="timeout"/> for the first byte.
    /// </summary>
    /// <returns>The number of bytes copied (at least 1), or 0 when the timeout passed with nothing received.</returns>
    /// <exception cref="SerialPortDisconnectedException">The device disappeared.</exception>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        EnterRead();
        try
        {
            var deadline = Deadline(timeout);
            while (_buffer.Count == 0)
            {
                if (!await FillAsync(deadline, cancellationToken))
                {
                    return 0;
                }
            }

            return _buffer.Take(buffer.Span);
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>
    /// Reads one frame ending with <paramref name="delimiter"/> (which is removed). Bytes of an unfinished frame stay
    /// buffered when the timeout passes, so the next call continues where this one stopped.
    /// </summary>
    /// <returns>The frame, or null when the timeout passed first.</returns>
    /// <exception cref="InvalidDataException">More than <paramref name="maxLength"/> bytes arrived without a
    /// delimiter; they were discarded so that the next call can resynchronise.</exception>
    /// <exception cref="SerialPortDisconnectedException">The device disappeared.</exception>
    public async ValueTask<byte[]?> ReadFrameAsync(ReadOnlyMemory<byte> delimiter, TimeSpan timeout, int maxLength = DefaultMaxFrameLength, CancellationToken cancellationToken = default)
    {
        if (delimiter.IsEmpty)
        {
            throw new ArgumentException("The frame delimiter must not be empty.", nameof(delimiter));
        }

        return await ReadDelimitedAsync(
            static (ReceiveBuffer buffer, ReadOnlyMemory<byte> end, int limit, out byte[] frame) => buffer.TryTakeFrame(end.Span, limit, out frame),
            delimiter,
            timeout,
            maxLength,
            cancellationToken);
    }

    /// <summary>
    /// Reads one line ended by CR, LF or CR LF, decoded as Latin-1 (one char per byte, so no byte is ever lost to
    /// decoding). Unfinished lines stay buffered across timeouts.
    /// </summary>
    /// <returns>The line without its terminator, or null when the timeout passed first.</returns>
    /// <exception cref="InvalidDataException">A line exceeded <paramref name="maxLength"/> bytes and was discarded.</exception>
    /// <exception cref="SerialPortDisconnectedException">The device disappeared.</exception>
    public async ValueTask<string?> ReadLineAsync(TimeSpan timeout, int maxLength = DefaultMaxFrameLength, CancellationToken cancellationToken = default)
    {
        var line = await ReadDelimitedAsync(
            static (ReceiveBuffer buffer, ReadOnlyMemory<byte> _, int limit, out byte[] frame) => buffer.TryTakeLine(limit, out frame),
            ReadOnlyMemory<byte>.Empty,
            timeout,
            maxLength,
            cancellationToken);
        return line is null ? null : Encoding.Latin1.GetString(line);
    }

    /// <summary>Writes all of <paramref name="data"/> (sp_blocking_write), blocking at most <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">Only part was written in time (flow control holding, or a full buffer).</exception>
    /// <exception cref="SerialPortDisconnectedException">The device disappeared.</exception>
    public void Write(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        var timeoutMs = ToMilliseconds(timeout);
        lock (_writeLock)
        {
            ThrowIfUnusable();
            var written = _backend.Write(data, timeoutMs);
            if (written < data.Length)
            {
                throw new TimeoutException($"Serial port '{Path}': only {written} of {data.Length} bytes were written within {timeout.TotalMilliseconds:0} ms.");
            }
        }
    }

    /// <summary>
    /// Writes on a pool thread, bounded by <paramref name="timeout"/>. The token is checked before writing; a write
    /// in progress runs to completion or to its timeout.
    /// </summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Write(data.Span, timeout), cancellationToken);
    }

    /// <summary>
    /// Waits until everything written has left the UART (sp_drain), but no longer than <paramref name="timeout"/>:
    /// the output queue is watched first, because tcdrain itself cannot be interrupted while flow control holds.
    /// </summary>
    /// <exception cref="TimeoutException">Bytes were still queued when the timeout passed.</exception>
    public void Drain(TimeSpan timeout)
    {
        var deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        lock (_writeLock)
        {
            ThrowIfUnusable();
            while (true)
            {
                var queued = _backend.OutputWaiting();
                if (queued == 0)
                {
                    break;
                }

                if (_timeProvider.GetTimestamp() >= deadline)
                {
                    throw new TimeoutException($"Serial port '{Path}': {queued} bytes were still queued for transmission after {timeout.TotalMilliseconds:0} ms.");
                }

                Thread.Sleep(1);
            }

            _backend.Drain();
        }
    }

    /// <summary>Drops received bytes nobody has read yet: ours and the kernel's (sp_flush input).</summary>
    public void DiscardInput()
    {
        EnterRead();
        try
        {
            ThrowIfUnusable();
            _backend.DiscardInput();
            while (_received.Reader.TryRead(out _))
            {
            }

            _buffer.Clear();
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>Stops the receive thread and closes the device.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _wake.Signal();
        if (_receiveThread.IsAlive)
        {
            _receiveThread.Join();
        }

        _received.Writer.TryComplete();
        lock (_writeLock)
        {
            _backend.Dispose();
        }

        _wake.Dispose();
        _stopping.Dispose();
        Log.PortClosed(_logger, Path);
    }

    /// <summary>Same as <see cref="Dispose"/>; the receive thread stops within microseconds, so nothing is awaited.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static void VerifyApplied(string path, ISerialBackend backend, SerialPortSettings wanted)
    {
        var actual = backend.ReadBack();
        var mismatch = new List<string>();
        if (actual.BaudRate != wanted.BaudRate)
        {
            mismatch.Add($"BaudRate {actual.BaudRate}");
        }

        if (!backend.IgnoresCharacterFormat && actual.DataBits != wanted.DataBits)
        {
            mismatch.Add($"DataBits {actual.DataBits}");
        }

        if (!backend.IgnoresCharacterFormat && actual.Parity != wanted.Parity)
        {
            mismatch.Add($"Parity {actual.Parity}");
        }

        if (actual.StopBits != wanted.StopBits)
        {
            mismatch.Add($"StopBits {actual.StopBits}");
        }

        if (actual.FlowControl != wanted.FlowControl)
        {
            mismatch.Add($"FlowControl {actual.FlowControl}");
        }

        if (mismatch.Count > 0)
        {
            throw new SerialPortException(path, "verify settings", SerialReturnCode.NotSupported, 0, "the driver did not keep the requested settings",
                $"Requested {wanted}; the driver reports {string.Join(", ", mismatch)}.");
        }
    }

    private static int ToMilliseconds(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.FromMilliseconds(1));
        return (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
    }

    private long Deadline(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return _timeProvider.GetTimestamp() + (long)Math.Min(long.MaxValue / 4, timeout.TotalSeconds * _timeProvider.TimestampFrequency);
    }

    /// <summary>
    /// The loop behind <see cref="ReadFrameAsync"/> and <see cref="ReadLineAsync"/>: takes one delimited frame from the
    /// buffer, receiving more until one is complete; null when the timeout passes first.
    /// </summary>
    private async ValueTask<byte[]?> ReadDelimitedAsync(TakeFrame take, ReadOnlyMemory<byte> delimiter, TimeSpan timeout, int maxLength, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        EnterRead();
        try
        {
            var deadline = Deadline(timeout);
            while (true)
            {
                switch (take(_buffer, delimiter, maxLength, out var frame))
                {
                    case FrameSearch.Found:
                        return frame;
                    case FrameSearch.TooLong:
                        throw TooLong(maxLength);
                }

                if (!await FillAsync(deadline, cancellationToken))
                {
                    return null;
                }
            }
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>Moves at least one received chunk into the buffer; false when the deadline passes first.</summary>
    private async ValueTask<bool> FillAsync(long deadline, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        if (!_received.Reader.TryRead(out var chunk))
        {
            var remaining = _timeProvider.GetElapsedTime(_timeProvider.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                return _received.Reader.Completion.IsCompleted ? ThrowClosed() : false;
            }

            using var timeoutSource = new CancellationTokenSource(remaining, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
            try
            {
                chunk = await _received.Reader.ReadAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (ChannelClosedException)
            {
                return ThrowClosed();
            }
        }

        _buffer.Append(chunk);
        while (_received.Reader.TryRead(out chunk))
        {
            _buffer.Append(chunk);
        }

        return true;
    }

    private bool ThrowClosed()
    {
        ThrowIfDisposed();
        var fault = _fault;
        ObjectDisposedException.ThrowIf(fault is null, this);

        // A fresh exception per caller, so each stack trace shows its own read; the original is the inner one.
        throw new SerialPortDisconnectedException(fault!);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        if (_fault is { } fault)
        {
            throw new SerialPortDisconnectedException(fault);
        }
    }

    private InvalidDataException TooLong(int maxLength) =>
        new($"Serial port '{Path}': more than {maxLength} bytes arrived without a frame terminator; they were discarded.");

    /// <summary>One attempt to take a frame from the receive buffer (see <see cref="ReceiveBuffer"/>).</summary>
    private delegate FrameSearch TakeFrame(ReceiveBuffer buffer, ReadOnlyMemory<byte> delimiter, int maxLength, out byte[] frame);

    private void EnterRead()
    {
        if (Interlocked.Exchange(ref _readInProgress, 1) != 0)
        {
            throw new InvalidOperationException($"Serial port '{Path}': another read is already in progress; reads must not overlap.");
        }
    }

    private void ExitRead() => Volatile.Write(ref _readInProgress, 0);

    private unsafe void ReceiveLoop()
    {
        var chunk = new byte[ReceiveChunkSize];
        var zeroReads = 0;
        var fds = stackalloc Interop.Libc.PollFd[2];
        try
        {
            while (true)
            {
                fds[0] = new Interop.Libc.PollFd { Fd = _backend.FileDescriptor, Events = Interop.Libc.PollIn };
                fds[1] = new Interop.Libc.PollFd { Fd = _wake.Fd, Events = Interop.Libc.PollIn };
                if (Interop.Libc.Poll(fds, 2, -1) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.Libc.EIntr)
                    {
                        continue;
                    }

                    throw SerialProxy.SystemError(Path, "poll", errno);
                }

                if (fds[1].REvents != 0 || _stopping.IsCancellationRequested)
                {
                    return;
                }

                var events = fds[0].REvents;
                if (events == 0)
                {
                    continue;
                }

                // Read even on POLLHUP: bytes that arrived before the hang-up are still owed to the reader.
                var n = _backend.Receive(chunk, out var status);
                if (n > 0)
                {
                    zeroReads = 0;
                    if (!Enqueue(chunk.AsSpan(0, n).ToArray()))
                    {
                        return;
                    }

                    continue;
                }

                var hungUp = (events & (Interop.Libc.PollHup | Interop.Libc.PollErr | Interop.Libc.PollNval)) != 0;
                if (status == ReceiveStatus.NothingYet && !hungUp)
                {
                    continue;
                }

                if (hungUp || status == ReceiveStatus.EndOfFile || ++zeroReads >= ZeroReadsMeaningEndOfFile)
                {
                    Fail(Disappeared(events, status));
                    return;
                }
            }
        }
        catch (SerialPortException ex)
        {
            Fail(ex);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // Disposal raced with the loop; nothing to report.
        }
        catch (Exception ex)
        {
            Fail(new SerialPortException($"Serial port '{Path}': the receive thread failed unexpectedly.", ex));
        }
    }

    private SerialPortDisconnectedException Disappeared(short events, ReceiveStatus status)
    {
        var how = (events & Interop.Libc.PollHup) != 0
            ? "the line hung up (POLLHUP)"
            : status == ReceiveStatus.EndOfFile ? "read returned end of file" : "the device polls readable but yields no data";

        // The device node vanishing is the clearest sign of an unplugged adapter; a dangling socat link means the far
        // end of a pseudo-terminal was closed.
        var gone = !File.Exists(DevicePath) || !File.Exists(Path);
        var detail = gone
            ? $"The port disappeared: {how}, and the device node {(File.Exists(DevicePath) ? Path : DevicePath)} no longer exists."
            : $"The port disappeared: {how} (unplugged, or the far end of the line was closed).";
        return new SerialPortDisconnectedException(Path, "receive", Interop.Libc.EIo, "device hung up", detail);
    }

    private bool Enqueue(byte[] data)
    {
        while (!_received.Writer.TryWrite(data))
        {
            // The readers are behind: stop reading so that the kernel buffers (and, with flow control, the sender
            // pauses) instead of dropping here. A dedicated thread may block; the token ends the wait on dispose.
            if (!_received.Writer.WaitToWriteAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
            {
                return false;
            }
        }

        return true;
    }

    private void Fail(SerialPortException error)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _fault = error;
        Log.PortDisconnected(_logger, error, Path, error.Message);
        _received.Writer.TryComplete(error);
    }
}
