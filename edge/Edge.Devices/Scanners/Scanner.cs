using System.Text;
using System.Threading.Channels;
using Edge.Devices.Scales;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Scanners;

/// <summary>Opens a scanner that delivers whole scanned strings (the evdev keyboard-wedge binding).</summary>
/// <param name="cancellationToken">Ends the reads.</param>
/// <returns>The reads, in scan order.</returns>
public delegate IAsyncEnumerable<string> ScanSourceFactory(CancellationToken cancellationToken);

/// <summary>
/// A barcode scanner or RFID reader: reads from an evdev keyboard wedge (strings) or a serial/TCP line protocol
/// (bytes), validates, normalises, suppresses repeats and hands accepted scans to <see cref="Scans"/>.
/// </summary>
/// <remarks>
/// <see cref="Scans"/> is bounded and the reader waits when it is full: a scan is a business event (a truck at the gate,
/// a lot moved) and is never dropped here. A failing source is reopened with capped exponential backoff, forever.
/// </remarks>
public sealed class Scanner
{
    private readonly ScannerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<ScanRead> _scans;

    /// <summary>Creates the scanner.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="timeProvider">The clock that stamps reads.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="sharedSuppressor">A suppressor shared by the scanners of one station, or <see langword="null"/>.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public Scanner(ScannerOptions options, TimeProvider timeProvider, ILogger logger, RepeatSuppressor? sharedSuppressor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        Processor = new ScanProcessor(options, sharedSuppressor);
        _options = options;
        _time = timeProvider;
        _logger = logger;
        Health = new DeviceHealthTracker(options.DeviceId, options.Health, timeProvider);
        _scans = Channel.CreateBounded<ScanRead>(new BoundedChannelOptions(1000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    /// <summary>The device id.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>Accepted scans, in read order.</summary>
    public ChannelReader<ScanRead> Scans => _scans.Reader;

    /// <summary>The validation and suppression counts.</summary>
    public ScanProcessor Processor { get; }

    /// <summary>Line framing counts for serial and TCP sources.</summary>
    public FrameCounters FrameCounters { get; } = new();

    /// <summary>The scanner's health.</summary>
    public DeviceHealthTracker Health { get; }

    /// <summary>Processes one read, e.g. a string from the evdev keyboard-wedge binding.</summary>
    /// <param name="raw">The read.</param>
    /// <param name="cancellationToken">Stops a wait for room in <see cref="Scans"/>.</param>
    /// <returns>What happened to the read.</returns>
    public async ValueTask<ScanOutcome> SubmitAsync(string raw, CancellationToken cancellationToken)
    {
        var outcome = Processor.Process(raw, _time.GetUtcNow(), out var read, out var rejection);
        switch (outcome)
        {
            case ScanOutcome.Accepted:
                Health.RecordSuccess();
                await _scans.Writer.WriteAsync(read!, cancellationToken).ConfigureAwait(false);
                break;
            case ScanOutcome.Suppressed:
                Health.RecordSuccess();
                Log.ScanSuppressed(_logger, DeviceId);
                break;
            default:
                Health.RecordFailure("rejected read: " + rejection);
                Log.ScanRejected(_logger, DeviceId, rejection);
                break;
        }

        return outcome;
    }

    /// <summary>
    /// Reads strings (the evdev binding's scanned strings) until the token is cancelled, reopening the source with
    /// backoff whenever it fails or ends (a USB scanner unplugged and plugged back).
    /// </summary>
    /// <param name="open">Opens the scanner and returns its reads.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>A task that completes when cancelled.</returns>
    public async Task RunAsync(ScanSourceFactory open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var backoff = new ExponentialBackoff(_options.Backoff);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                await foreach (var raw in open(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    backoff.Reset();
                    await SubmitAsync(raw, cancellationToken).ConfigureAwait(false);
                }

                delay = backoff.NextDelay();
                Health.RecordFailure("source ended");
                Log.ScannerSourceEnded(_logger, DeviceId, delay);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                delay = backoff.NextDelay();
                Health.RecordFailure(ex.Message);
                Log.ScannerSourceFailed(_logger, DeviceId, delay, ex);
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Reads lines from a serial or TCP source, reopening it with backoff whenever it fails or ends, until the token is
    /// cancelled.
    /// </summary>
    /// <param name="open">Opens the source.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>A task that completes when cancelled.</returns>
    public async Task RunAsync(ByteSourceFactory open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var backoff = new ExponentialBackoff(_options.Backoff);
        var splitter = new FrameSplitter(_options.Framing, FrameCounters);
        var buffer = new byte[1024];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var source = await open(cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    splitter.Reset();
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        backoff.Reset();
                        foreach (var line in Split(splitter, buffer.AsSpan(0, n)))
                        {
                            await SubmitAsync(line, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                var delay = backoff.NextDelay();
                Health.RecordFailure("source ended");
                Log.ScannerSourceEnded(_logger, DeviceId, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                var delay = backoff.NextDelay();
                Health.RecordFailure(ex.Message);
                Log.ScannerSourceFailed(_logger, DeviceId, delay, ex);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    // Frames are decoded to strings before any await: the splitter's span is only valid until the next call.
    private static List<string> Split(FrameSplitter splitter, ReadOnlySpan<byte> input)
    {
        var lines = new List<string>(1);
        while (splitter.TryReadFrame(ref input, out var frame))
        {
            lines.Add(Encoding.Latin1.GetString(frame));
        }

        return lines;
    }
}
