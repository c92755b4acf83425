using Microsoft.Extensions.Logging;

namespace Edge.Devices.Gpio;

/// <summary>Opens the edge events of one GPIO line (the Edge.Gpio binding's event stream).</summary>
/// <param name="cancellationToken">Ends the stream.</param>
/// <returns>The events, in kernel order.</returns>
public delegate IAsyncEnumerable<PulseEdge> EdgeSourceFactory(CancellationToken cancellationToken);

/// <summary>
/// Runs a <see cref="PulseCounter"/>: loads its durable state, feeds it the binding's edge events and stores a record
/// every <see cref="PulseCounterOptions.FlushInterval"/> when pulses were counted (and every
/// <see cref="PulseCounterOptions.Heartbeat"/> regardless), plus a final one when stopped.
/// </summary>
public sealed class PulseCounterDriver : IDisposable
{
    private static readonly TimeSpan s_finalFlushTimeout = TimeSpan.FromSeconds(5);
    private readonly PulseCounterOptions _options;
    private readonly IPulseCountStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _flushLock = new(1, 1);
    private DateTimeOffset _lastStoredAt;
    private long _reportedMisses;
    private PulseCounter? _counter;

    /// <summary>Creates the driver; call <see cref="InitializeAsync"/> before anything else.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="store">Where counts are made durable (the gateway's outbox).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public PulseCounterDriver(PulseCounterOptions options, IPulseCountStore store, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        DeviceConfigurationException.ThrowIfAny(options.Validate("PulseCounter"));
        _options = options;
        _store = store;
        _time = timeProvider;
        _logger = logger;
        Health = new DeviceHealthTracker(options.DeviceId, options.Health, timeProvider);
    }

    /// <summary>The counter; available after <see cref="InitializeAsync"/>.</summary>
    public PulseCounter Counter => _counter ?? throw new InvalidOperationException("Call InitializeAsync first.");

    /// <summary>The counter's health: store failures degrade it.</summary>
    public DeviceHealthTracker Health { get; }

    /// <summary>Loads the last durable state and creates the counter resuming from it.</summary>
    /// <param name="cancellationToken">Stops the load.</param>
    /// <returns>A task that completes when the counter exists.</returns>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var state = await _store.LoadAsync(_options.DeviceId, cancellationToken).ConfigureAwait(false);
        _counter = new PulseCounter(_options, state);
        _lastStoredAt = _time.GetUtcNow();
    }

    /// <summary>
    /// Counts edges until the token is cancelled, flushing periodically, and stores a final record before returning.
    /// When the edge source fails or ends it is reopened with capped exponential backoff, forever; edges while it is
    /// closed are not seen.
    /// </summary>
    /// <param name="openEdges">Opens the binding's edge events for the line (called again after a failure).</param>
    /// <param name="cancellationToken">Stops counting.</param>
    /// <param name="backoff">Retry delays; <see langword="null"/> for the defaults.</param>
    /// <returns>A task that completes after the final flush.</returns>
    public async Task RunAsync(EdgeSourceFactory openEdges, CancellationToken cancellationToken, BackoffOptions? backoff = null)
    {
        ArgumentNullException.ThrowIfNull(openEdges);
        var counter = Counter;
        var retry = new ExponentialBackoff(backoff ?? new BackoffOptions());
        using var stopFlusher = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var flusher = FlushLoopAsync(stopFlusher.Token);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await foreach (var edge in openEdges(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        retry.Reset();
                        counter.OnEdge(edge);
                        var misses = counter.SuspectedMissedEdges;
                        if (misses != _reportedMisses)
                        {
                            Log.PulseSuspectedMiss(_logger, _options.DeviceId, misses - _reportedMisses, edge.Kind);
                            _reportedMisses = misses;
                        }
                    }

                    Health.RecordFailure("edge source ended");
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Health.RecordFailure("edge source failed: " + ex.Message);
                    Log.PulseSourceFailed(_logger, _options.DeviceId, ex);
                }

                await Task.Delay(retry.NextDelay(), _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: fall through to the final flush.
        }
        finally
        {
            await stopFlusher.CancelAsync().ConfigureAwait(false);
            await flusher.ConfigureAwait(false);

            // The final record makes a graceful restart lossless; bounded so a dead store cannot block shutdown.
            using var timeout = new CancellationTokenSource(s_finalFlushTimeout, _time);
            await FlushAsync(force: false, timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores a record if pulses were counted since the last stored one, or if <paramref name="force"/> or the heartbeat
    /// is due. A failure is counted in <see cref="Health"/> and the same pulses go into the next attempt.
    /// </summary>
    /// <param name="force">Store even when nothing changed.</param>
    /// <param name="cancellationToken">Stops the store.</param>
    /// <returns><see langword="true"/> when a record was stored.</returns>
    public async Task<bool> FlushAsync(bool force, CancellationToken cancellationToken)
    {
        var counter = Counter;
        try
        {
            await _flushLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            var now = _time.GetUtcNow();
            var record = counter.TakeRecord(now);
            if (record.Delta == 0 && !force && now - _lastStoredAt < _options.Heartbeat)
            {
                return false;
            }

            try
            {
                await _store.SaveAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Health.RecordFailure("storing the count failed: " + ex.Message);
                return false;
            }

            counter.MarkStored(record.Total);
            _lastStoredAt = now;
            Health.RecordSuccess();
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>Releases the flush lock; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose() => _flushLock.Dispose();

    private async Task FlushLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await FlushAsync(force: false, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
