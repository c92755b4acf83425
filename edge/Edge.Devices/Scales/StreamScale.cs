using System.Text;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Scales;

/// <summary>
/// A scale whose indicator sends frames over a byte stream (serial port or TCP): splits, parses, counts rejections,
/// decides stability and publishes samples. Reopens the stream with capped exponential backoff when it fails, ends or
/// falls silent for <see cref="ScaleOptions.SilenceTimeout"/>, forever.
/// </summary>
public sealed class StreamScale : IScaleDriver
{
    private readonly ScaleOptions _options;
    private readonly IIndicatorParser _parser;
    private readonly ByteSourceFactory _open;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScaleSampleHub _hub;
    private readonly byte[] _pollCommand;

    /// <summary>Creates the driver; nothing is opened until <see cref="RunAsync"/>.</summary>
    /// <param name="options">The scale options; validated here.</param>
    /// <param name="parser">The protocol parser (see <see cref="ScaleFactory.CreateParser"/>).</param>
    /// <param name="open">Opens the serial port or TCP connection.</param>
    /// <param name="timeProvider">The clock that stamps samples.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public StreamScale(ScaleOptions options, IIndicatorParser parser, ByteSourceFactory open, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Scale"));
        _options = options;
        _parser = parser;
        _open = open;
        _time = timeProvider;
        _logger = logger;
        _hub = new ScaleSampleHub(options.Stability, options.CapacityKg, options.StaleAfter, timeProvider);
        _pollCommand = options.PollCommand is null ? [] : Encoding.ASCII.GetBytes(options.PollCommand + "\r\n");
        Health = new DeviceHealthTracker(options.DeviceId, options.Health, timeProvider);
    }

    /// <inheritdoc/>
    public string DeviceId => _options.DeviceId;

    /// <inheritdoc/>
    public ScaleSample? CurrentSample => _hub.Current;

    /// <inheritdoc/>
    public DeviceHealthTracker Health { get; }

    /// <inheritdoc/>
    public FrameCounters Counters { get; } = new();

    /// <inheritdoc/>
    public IAsyncEnumerable<ScaleSample> ReadSamplesAsync(CancellationToken cancellationToken = default) => _hub.SubscribeAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<ScaleSample?> WaitForStableAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _hub.WaitForStableAsync(timeout, cancellationToken);

    /// <summary>Reads the indicator until <paramref name="cancellationToken"/> is cancelled; never ends on its own.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>A task that completes when cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(_options.Backoff);
        var splitter = new FrameSplitter(_parser.CreateFraming(), Counters);
        var buffer = new byte[512];
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            Exception? error = null;

            // One token per connection, re-armed after every read: it fires when the indicator falls silent.
            using var silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            using var stopOnCancel = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), silence);
            try
            {
                var source = await _open(cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    Log.ScaleSourceOpened(_logger, DeviceId);
                    splitter.Reset();
                    var poller = _pollCommand.Length > 0 && source is IByteChannel channel ? PollAsync(channel, silence.Token) : Task.CompletedTask;
                    silence.CancelAfter(_options.SilenceTimeout);
                    int n;
                    while ((n = await source.ReadAsync(buffer, silence.Token).ConfigureAwait(false)) > 0)
                    {
                        silence.CancelAfter(_options.SilenceTimeout);
                        if (Process(splitter, buffer.AsSpan(0, n)))
                        {
                            backoff.Reset();
                        }
                    }

                    failure = "source ended";
                    await silence.CancelAsync().ConfigureAwait(false);
                    await poller.ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (silence.IsCancellationRequested)
            {
                failure = "no data for " + _options.SilenceTimeout;
            }
            catch (Exception ex)
            {
                failure = ex.Message;
                error = ex;
            }

            _hub.Disconnected();
            Health.RecordFailure(failure);
            var delay = backoff.NextDelay();
            if (error is null)
            {
                Log.ScaleSourceSilent(_logger, DeviceId, _options.SilenceTimeout, delay);
            }
            else
            {
                Log.ScaleSourceFailed(_logger, DeviceId, delay, error);
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

    /// <summary>Feeds received bytes through framing and parsing; used by <see cref="RunAsync"/> and tests.</summary>
    /// <param name="splitter">The connection's splitter.</param>
    /// <param name="received">The bytes.</param>
    /// <returns><see langword="true"/> when at least one frame became a sample.</returns>
    internal bool Process(FrameSplitter splitter, ReadOnlySpan<byte> received)
    {
        var framingRejectsBefore = Counters[FrameRejection.Truncated] + Counters[FrameRejection.Oversize];
        var accepted = false;
        while (splitter.TryReadFrame(ref received, out var frame))
        {
            var rejection = _parser.TryParse(frame, _time.GetUtcNow(), out var sample);
            Counters.CountRejected(rejection);
            switch (rejection)
            {
                case FrameRejection.None:
                    Counters.CountAccepted();
                    Health.RecordSuccess();
                    _hub.Publish(sample);
                    accepted = true;
                    break;
                case FrameRejection.NotAWeight:
                    break;
                default:
                    // Counted and dropped, never turned into a weight.
                    Health.RecordFailure("frame rejected: " + rejection);
                    Log.ScaleFrameRejected(_logger, DeviceId, rejection);
                    break;
            }
        }

        if (Counters[FrameRejection.Truncated] + Counters[FrameRejection.Oversize] != framingRejectsBefore)
        {
            Health.RecordFailure("frame truncated or oversize");
        }

        return accepted;
    }

    private async Task PollAsync(IByteChannel channel, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PollInterval, _time);
        try
        {
            do
            {
                await channel.WriteAsync(_pollCommand, cancellationToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The connection is closing.
        }
        catch (Exception ex)
        {
            // The read loop notices a dead link by silence; this only reports why.
            Log.ScalePollCommandFailed(_logger, DeviceId, ex);
        }
    }
}
