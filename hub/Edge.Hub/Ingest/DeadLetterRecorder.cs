using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Edge.Hub.Hosting;
using Edge.Hub.Metrics;
using Edge.Hub.State;
using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Ingest;

/// <summary>
/// Sets aside what the hub refuses: counts it, logs it at most once per source per interval, stores it in the state
/// store (bounded, oldest evicted) and publishes a notice on the dead-letter topic. Storing and publishing run on
/// this service's own task in batches, so a flood of garbage costs one transaction per few hundred letters and never
/// blocks the consumer for longer than the queue takes to drain.
/// </summary>
internal sealed class DeadLetterRecorder : BackgroundService
{
    private const int BatchSize = 500;

    // Notices not yet written to the socket. Beyond this the broker is not taking them and new ones are skipped
    // (and counted): the stored letter is the record, the notice only a report.
    private const int MaxPendingNotices = 500;
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(1);
    private readonly Channel<DeadLetterRecord> _queue;
    private readonly IStateStore _store;
    private readonly HubMqttConnection _mqtt;
    private readonly HubMetrics _metrics;
    private readonly DeadLetterOptions _options;
    private readonly LogThrottle _throttle;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _pendingNotices;

    /// <summary>Creates the recorder.</summary>
    /// <param name="store">Where letters are kept.</param>
    /// <param name="mqtt">The connection notices are published on.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="options">The <c>DeadLetters</c> section.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public DeadLetterRecorder(IStateStore store, HubMqttConnection mqtt, HubMetrics metrics, IOptions<DeadLetterOptions> options, TimeProvider timeProvider, ILogger<DeadLetterRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _mqtt = mqtt;
        _metrics = metrics;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _throttle = new LogThrottle(_options.LogInterval);
        _queue = Channel.CreateBounded<DeadLetterRecord>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Letters waiting to be stored.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Counts, logs (throttled) and queues a refused MQTT message; waits while the queue is full.</summary>
    /// <param name="topic">The topic it arrived on.</param>
    /// <param name="source">The gateway id when the topic names one; else a short description.</param>
    /// <param name="reasonCode">A short reason class for the metric (a decode error code).</param>
    /// <param name="reason">The full reason.</param>
    /// <param name="payload">The payload; copied (truncated) here.</param>
    /// <param name="cancellationToken">Stops waiting for room.</param>
    /// <returns>A task that completes when the letter is queued.</returns>
    public ValueTask RecordAsync(string topic, string source, string reasonCode, string reason, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _metrics.DeadLettered(reasonCode, invalidMessage: true);
        if (_throttle.ShouldLog(source, now, out var suppressed, out var expired))
        {
            Log.MessageDeadLettered(_logger, source, topic.Length > 200 ? topic[..200] : topic, reason, payload.Length, suppressed, _options.LogInterval);
        }

        foreach (var (s, n) in expired)
        {
            Log.DeadLettersSuppressed(_logger, s, n, _options.LogInterval);
        }

        // Copy now: the MQTT message's buffer may be reused, and a 1 MiB payload must not be held in full.
        var kept = payload.Length > _options.MaxPayloadBytes ? payload[.._options.MaxPayloadBytes].ToArray() : payload.ToArray();
        var letter = new DeadLetterRecord(now, source, topic.Length > 1024 ? topic[..1024] : topic, reason.Length > 2048 ? reason[..2048] : reason, kept, payload.Length, null);
        return _queue.Writer.WriteAsync(letter, cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DeadLetterRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Drain(batch);
                await StoreAsync(batch, stoppingToken);
                Publish(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: store what is queued without waiting for more.
        }

        Drain(batch);
        if (batch.Count > 0)
        {
            await StoreAsync(batch, CancellationToken.None);
        }
    }

    private void Drain(List<DeadLetterRecord> batch)
    {
        while (batch.Count < BatchSize && _queue.Reader.TryRead(out var l))
        {
            batch.Add(l);
        }
    }

    private async Task StoreAsync(List<DeadLetterRecord> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _store.AddDeadLetters(batch);
                return;
            }
            catch (StateStoreException e)
            {
                Log.DeadLetterStoreFailed(_logger, e, batch.Count, attempt);
                if (cancellationToken.IsCancellationRequested || attempt >= 10)
                {
                    // They are counted and were logged; only their copies are lost.
                    return;
                }
            }

            try
            {
                await Task.Delay(s_retryDelay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Notices go out at QoS 0 and nothing here waits for them: while the ingest holds the MQTT client's receive buffer
    // full the client reads no PUBACKs, and waiting for one would let the full queue above stop the very ingest
    // that drains the buffer. A report that is lost costs nothing; the stored letter (and the API) is the record.
    private void Publish(List<DeadLetterRecord> batch)
    {
        if (string.IsNullOrEmpty(_options.Topic))
        {
            return;
        }

        foreach (var letter in batch)
        {
            if (!_mqtt.Client.IsConnected || Volatile.Read(ref _pendingNotices) >= MaxPendingNotices)
            {
                _metrics.DeadLetterPublishFailed();
                continue;
            }

            Interlocked.Increment(ref _pendingNotices);
            _ = PublishOneAsync(letter);
        }
    }

    private async Task PublishOneAsync(DeadLetterRecord letter)
    {
        try
        {
            var notice = new DeadLetterNotice(letter.ReceivedAt, letter.Source, letter.Topic, letter.Reason, letter.PayloadBytes, letter.Truncated, Convert.ToBase64String(letter.Payload.Span));
            var payload = JsonSerializer.SerializeToUtf8Bytes(notice, HubJsonContext.Default.DeadLetterNotice);
            await _mqtt.Client.PublishAsync(_options.Topic, payload, MqttQos.AtMostOnce, retain: false);
        }
        catch (Exception e) when (e is MqttException or ObjectDisposedException)
        {
            _metrics.DeadLetterPublishFailed();
        }
        finally
        {
            Interlocked.Decrement(ref _pendingNotices);
        }
    }
}

/// <summary>
/// What the hub publishes on the dead-letter topic for each refused message: JSON, camelCase, one per message.
/// </summary>
/// <param name="At">When the hub refused it.</param>
/// <param name="Source">The gateway id when the topic names one, else <c>topic</c>.</param>
/// <param name="Topic">The topic it arrived on.</param>
/// <param name="Reason">Why, e.g. <c>TopicMismatch at $.gatewayId: …</c>.</param>
/// <param name="PayloadBytes">The full payload length.</param>
/// <param name="Truncated">Whether <paramref name="PayloadBase64"/> holds only the first <c>DeadLetters:MaxPayloadBytes</c>.</param>
/// <param name="PayloadBase64">The payload (or its start), base64.</param>
internal sealed record DeadLetterNotice(DateTimeOffset At, string Source, string? Topic, string Reason, int PayloadBytes, bool Truncated, string PayloadBase64);

/// <summary>Serialization metadata for the hub's own MQTT payloads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeadLetterNotice))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
