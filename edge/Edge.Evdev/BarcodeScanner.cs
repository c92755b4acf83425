using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edge.Evdev.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Evdev;

/// <summary>Options of a <see cref="BarcodeScanner"/>.</summary>
public sealed record BarcodeScannerOptions
{
    /// <summary>Grab the device exclusively (EVIOCGRAB) so scans do not also type into a console or desktop. Default true.</summary>
    public bool Grab { get; init; } = true;

    /// <summary>How key events become scans.</summary>
    public KeyboardWedgeOptions Decoding { get; init; } = new();

    /// <summary>Outcomes buffered for a slow reader; when full, the read thread waits (the kernel buffers meanwhile). Default 256.</summary>
    public int QueueCapacity { get; init; } = 256;
}

/// <summary>
/// A keyboard-wedge barcode scanner read from its event device (/dev/input/eventN or a /dev/input/by-id link) through
/// libevdev. A dedicated thread reads key events, decodes them with a <see cref="KeyboardWedgeDecoder"/> and queues
/// the outcomes. An unplugged scanner completes <see cref="Outcomes"/> with <see cref="EvdevDeviceLostException"/>.
/// </summary>
public sealed class BarcodeScanner : IDisposable, IAsyncDisposable
{
    private const int PollIntervalMs = 100;

    private readonly IInputEventSource _source;
    private readonly KeyboardWedgeDecoder _decoder;
    private readonly KeyboardWedgeOptions _decoding;
    private readonly Channel<ScanOutcome> _outcomes;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    internal BarcodeScanner(IInputEventSource source, KeyboardLayout layout, BarcodeScannerOptions options, ILogger logger, TimeProvider timeProvider)
    {
        _source = source;
        _decoding = options.Decoding;
        _decoder = new KeyboardWedgeDecoder(layout, options.Decoding);
        _logger = logger;
        _timeProvider = timeProvider;
        Layout = layout;
        _outcomes = Channel.CreateBounded<ScanOutcome>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "scanner " + Path.GetFileName(source.DevicePath) };
        _thread.Start();
    }

    /// <summary>The device as the caller named it.</summary>
    public string DevicePath => _source.DevicePath;

    /// <summary>The device's name (from the USB descriptor), e.g. "Honeywell Imaging &amp; Mobility 1900".</summary>
    public string Name => _source.Name;

    /// <summary>USB vendor id.</summary>
    public int VendorId => _source.VendorId;

    /// <summary>USB product id.</summary>
    public int ProductId => _source.ProductId;

    /// <summary>The layout scans are decoded with.</summary>
    public KeyboardLayout Layout { get; }

    /// <summary>
    /// Complete and discarded scans in order. Completes with <see cref="EvdevDeviceLostException"/> when the device
    /// disappears, and normally when the scanner is disposed. <see cref="ChannelReader{T}.WaitToReadAsync"/> and
    /// <see cref="ChannelReader{T}.ReadAllAsync"/> rethrow that exception as is; <see cref="ChannelReader{T}.ReadAsync"/>
    /// wraps it in a <see cref="ChannelClosedException"/> (its InnerException).
    /// </summary>
    public ChannelReader<ScanOutcome> Outcomes => _outcomes.Reader;

    /// <summary>
    /// Opens a scanner. Blocking but quick; call it from a host's StartAsync.
    /// </summary>
    /// <param name="devicePath">/dev/input/eventN, or better a stable /dev/input/by-id/…-event-kbd link.</param>
    /// <param name="layout">The keyboard country the scanner is configured for; US by default.</param>
    /// <param name="options">Grab and decoding options.</param>
    /// <param name="logger">Receives open, discard and loss events.</param>
    /// <param name="timeProvider">Clock for discarding stale partial scans while the scanner is idle.</param>
    /// <exception cref="EvdevException">The device is missing, not an input device, has no Enter key, or is grabbed by
    /// another program; the message names the device and the errno text.</exception>
    public static BarcodeScanner Open(string devicePath, KeyboardLayout? layout = null, BarcodeScannerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        options ??= new BarcodeScannerOptions();
        options.Decoding.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        var source = LibevdevSource.Open(devicePath, options.Grab);
        try
        {
            logger ??= NullLogger.Instance;
            var scanner = new BarcodeScanner(source, layout ?? KeyboardLayout.UnitedStates, options, logger, timeProvider ?? TimeProvider.System);
            Log.ScannerOpened(logger, devicePath, source.Name, source.VendorId, source.ProductId, options.Grab);
            return scanner;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Complete scans until the scanner is disposed or the token is cancelled. Discarded partial scans are logged and
    /// skipped; read <see cref="Outcomes"/> to see them.
    /// </summary>
    /// <exception cref="EvdevDeviceLostException">The scanner was unplugged.</exception>
    public async IAsyncEnumerable<BarcodeScan> ReadScansAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _outcomes.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_outcomes.Reader.TryRead(out var outcome))
            {
                if (outcome is BarcodeScan scan)
                {
                    yield return scan;
                }
            }
        }
    }

    /// <summary>Stops the read thread (within 100 ms), ungrabs and closes the device.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        if (_thread.IsAlive && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        _outcomes.Writer.TryComplete();
        _source.Dispose();
        _stopping.Dispose();
        Log.ScannerClosed(_logger, DevicePath);
    }

    /// <summary>Same as <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ReadLoop()
    {
        var lastKeyAt = _timeProvider.GetTimestamp();
        var lastEventTime = TimeSpan.Zero;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!_source.Wait(PollIntervalMs))
                {
                    // Idle: a partial scan with no key for too long will never be completed.
                    if (_decoder.HasPartialScan && _timeProvider.GetElapsedTime(lastKeyAt) > _decoding.StaleScanTimeout)
                    {
                        Emit(_decoder.Abandon(ScanDiscardReason.Stale, lastEventTime + _timeProvider.GetElapsedTime(lastKeyAt)));
                    }

                    continue;
                }

                while (!_stopping.IsCancellationRequested)
                {
                    var status = _source.Next(out var e);
                    if (status == NextEventStatus.Empty)
                    {
                        break;
                    }

                    if (status == NextEventStatus.Gone)
                    {
                        Emit(_decoder.Abandon(ScanDiscardReason.DeviceLost, lastEventTime));
                        var lost = new EvdevDeviceLostException(DevicePath, "libevdev_next_event");
                        Log.ScannerLost(_logger, lost, DevicePath);
                        _outcomes.Writer.TryComplete(lost);
                        return;
                    }

                    if (status == NextEventStatus.Dropped)
                    {
                        Log.EventsDropped(_logger, DevicePath);
                        Emit(_decoder.EventsDropped(e.Timestamp, _source.IsKeyDown));
                        continue;
                    }

                    if (e.Type != Interop.Libevdev.EvKey)
                    {
                        continue;
                    }

                    lastKeyAt = _timeProvider.GetTimestamp();
                    lastEventTime = e.Timestamp;
                    Emit(_decoder.Process(new KeyEvent((KeyCode)e.Code, (KeyAction)Math.Clamp(e.Value, 0, 2), e.Timestamp)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed while waiting for queue space.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var error = ex as EvdevException ?? new EvdevException($"Input device '{DevicePath}': the read thread failed unexpectedly.", ex);
            Log.ScannerFailed(_logger, error, DevicePath);
            _outcomes.Writer.TryComplete(error);
        }
    }

    private void Emit(ScanOutcome? outcome)
    {
        if (outcome is null)
        {
            return;
        }

        if (outcome is DiscardedScan discarded)
        {
            Log.ScanDiscarded(_logger, DevicePath, discarded.Reason, discarded.PartialText.Length);
        }

        if (!_outcomes.Writer.TryWrite(outcome))
        {
            // Never drop a scan: wait for the reader (the kernel's evdev buffer holds the keys meanwhile).
            _outcomes.Writer.WriteAsync(outcome, _stopping.Token).AsTask().GetAwaiter().GetResult();
        }
    }
}
