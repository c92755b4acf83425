using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Hub.Influx;

/// <summary>
/// The hub's InfluxDB 1.x writer: a bounded queue of lines, one sender that posts gzip-compressed batches to
/// <c>/write?precision=ns</c>, and the error handling that makes "stored exactly once" hold.
/// </summary>
/// <remarks>
/// <para>Batches close at <see cref="InfluxWriterOptions.BatchSize"/> lines, <see cref="InfluxWriterOptions.MaxBatchBytes"/>
/// bytes or <see cref="InfluxWriterOptions.BatchInterval"/> after their oldest line, whichever comes first. One batch
/// is in flight at a time and it is settled completely (retries, splits, dead letters) before the next is taken, so
/// groups settle in admission order and memory is bounded by the queue's capacity alone.</para>
/// <para>Answers: 2xx stored; 413 halve and retry, a single line still too large is a dead letter; 400/422 dead-letter
/// the lines influxd names (or pins down by field type) and send the others again, since a partial write's count
/// may cover one shard only; bisect when it names none; 401/403 and a missing database hold everything, raise
/// <see cref="InfluxWriterStatus.Alarm"/> and retry every <see cref="InfluxWriterOptions.HeldRetryInterval"/>; 429, 5xx, timeouts and network errors back off exponentially
/// with jitter, honouring <c>Retry-After</c>. Nothing is ever dropped by retrying: a write that keeps failing fills the
/// queue and the callers wait.</para>
/// <para>Writing a line twice is harmless — same series and nanosecond timestamp overwrite — so whenever it is unclear
/// what influxd stored, lines are sent again rather than guessed.</para>
/// </remarks>
internal sealed class InfluxWriter : IInfluxWriter, IHostedService, IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue s_contentType = new("text/plain") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly InfluxWriterOptions _options;
    private readonly IDeadLetterSink _deadLetterSink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly InfluxWriterMetrics _metrics;
    private readonly Action<Exception>? _failed;
    private readonly Uri _writeUri;
    private volatile AuthenticationHeaderValue? _authorization;
    private readonly Lock _gate = new();
    private readonly Queue<LineRef> _queue = new();
    private readonly LinkedList<SpaceWaiter> _spaceWaiters = new();
    private readonly List<FlushWaiter> _flushWaiters = [];
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _wake = NewSignal();
    private readonly List<List<LineRef>> _taken = [];
    [ThreadStatic]
    private static InfluxLinesBuilder? t_builder;
    private long _heldLines;
    private long _heldBytes;
    private long _queuedBytes;
    private long _nextSequence = 1;
    private long _settledThrough;
    private long _flushThrough;
    private bool _accepting = true;
    private bool _disposed;
    private Task? _loop;
    private InfluxWriterStatus _status;

    /// <summary>Creates a writer; call <see cref="StartAsync"/> to begin sending.</summary>
    /// <param name="http">The client to post with; its base address is not used (<see cref="InfluxWriterOptions.Url"/> is).</param>
    /// <param name="options">The options, validated here.</param>
    /// <param name="deadLetterSink">Where refused lines go.</param>
    /// <param name="timeProvider">The clock for batching, timeouts and backoff.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="meterFactory">The host's meter factory; without one the writer owns its meter.</param>
    /// <param name="retrySchedule">The transient backoff; by default from <see cref="InfluxWriterOptions.InitialRetryDelay"/> and <see cref="InfluxWriterOptions.MaxRetryDelay"/>.</param>
    /// <param name="failed">
    /// Called once if the sender dies of something no retry covers (a bug): after the writer stopped taking points,
    /// before the groups it holds are cancelled. The hub stops on it (<see cref="Hosting.HubFailure"/>).
    /// </param>
    public InfluxWriter(
        HttpClient http,
        InfluxWriterOptions options,
        IDeadLetterSink deadLetterSink,
        TimeProvider? timeProvider = null,
        ILogger<InfluxWriter>? logger = null,
        IMeterFactory? meterFactory = null,
        RetrySchedule? retrySchedule = null,
        Action<Exception>? failed = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(deadLetterSink);
        InfluxWriterOptionsValidator.ThrowIfInvalid(options);
        _http = http;
        _options = options;
        _deadLetterSink = deadLetterSink;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _failed = failed;
        Schedule = retrySchedule ?? new RetrySchedule(options.InitialRetryDelay, options.MaxRetryDelay);
        _writeUri = BuildWriteUri(options);
        _authorization = BasicAuthorization(options.Username, options.Password);

        _status = new InfluxWriterStatus(InfluxWriterState.Healthy, InfluxAlarm.None, null, null, _time.GetUtcNow());
        _metrics = new InfluxWriterMetrics(meterFactory, () => Volatile.Read(ref _heldLines), () => Volatile.Read(ref _heldBytes), () => Status.Alarm);
    }

    /// <inheritdoc/>
    public event EventHandler<InfluxWriterStatus>? StatusChanged;

    /// <inheritdoc/>
    public InfluxWriterStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    /// <summary>The backoff used for transient failures.</summary>
    public RetrySchedule Schedule { get; }

    /// <summary>The URL every batch is posted to.</summary>
    public Uri WriteUri => _writeUri;

    /// <summary>The meter the writer's instruments live on.</summary>
    public Meter Meter => _metrics.Meter;

    /// <summary>
    /// Replaces the credentials (the host calls this when the <c>Influx</c> section is reloaded): the fix for a 401
    /// hold on the hub's side. The next retry uses them.
    /// </summary>
    /// <param name="username">The user name; empty for none.</param>
    /// <param name="password">The password.</param>
    public void SetCredentials(string? username, string? password) => _authorization = BasicAuthorization(username, password);

    /// <summary>The writer's figures now.</summary>
    /// <returns>A snapshot.</returns>
    public InfluxWriterMetricsSnapshot GetMetrics() => _metrics.Snapshot(Volatile.Read(ref _heldLines), Volatile.Read(ref _heldBytes));

    /// <inheritdoc/>
    public ValueTask<Task<InfluxWriteResult>> EnqueueAsync(InfluxPoint point, string? origin = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync([point], origin, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<Task<InfluxWriteResult>> EnqueueAsync(IReadOnlyList<InfluxPoint> points, string? origin = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync(Prepare(points, origin), cancellationToken);

    /// <inheritdoc/>
    public ValueTask<Task<InfluxWriteResult>> EnqueueAsync(InfluxLines lines, string? origin = null, CancellationToken cancellationToken = default) =>
        EnqueueAsync(Group(lines, origin, nameof(lines)), cancellationToken);

    /// <inheritdoc/>
    public bool TryEnqueue(IReadOnlyList<InfluxPoint> points, string? origin, [NotNullWhen(true)] out Task<InfluxWriteResult>? completion) =>
        TryEnqueue(Prepare(points, origin), out completion);

    /// <inheritdoc/>
    public bool TryEnqueue(InfluxLines lines, string? origin, [NotNullWhen(true)] out Task<InfluxWriteResult>? completion) =>
        TryEnqueue(Group(lines, origin, nameof(lines)), out completion);

    private ValueTask<Task<InfluxWriteResult>> EnqueueAsync(WriteGroup group, CancellationToken cancellationToken)
    {
        SpaceWaiter waiter;
        lock (_gate)
        {
            ThrowIfNotAccepting();
            if (_spaceWaiters.Count == 0 && Fits(group))
            {
                Admit(group);
                return new ValueTask<Task<InfluxWriteResult>>(group.Completion.Task);
            }

            cancellationToken.ThrowIfCancellationRequested();
            waiter = new SpaceWaiter(group);
            waiter.Node = _spaceWaiters.AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.UnsafeRegister(
                static (state, token) =>
                {
                    var (writer, w) = ((InfluxWriter, SpaceWaiter))state!;
                    writer.CancelWaiter(w, token);
                },
                (this, waiter));
        }

        return new ValueTask<Task<InfluxWriteResult>>(waiter.Admitted.Task);
    }

    private bool TryEnqueue(WriteGroup group, [NotNullWhen(true)] out Task<InfluxWriteResult>? completion)
    {
        lock (_gate)
        {
            ThrowIfNotAccepting();
            if (_spaceWaiters.Count == 0 && Fits(group))
            {
                Admit(group);
                completion = group.Completion.Task;
                return true;
            }
        }

        completion = null;
        return false;
    }

    /// <inheritdoc/>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var target = _nextSequence - 1;
            if (target <= _settledThrough)
            {
                return Task.CompletedTask;
            }

            _flushThrough = Math.Max(_flushThrough, target);
            var waiter = new FlushWaiter(target, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _flushWaiters.Add(waiter);
            Wake();
            return waiter.Done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Starts the sender.</summary>
    /// <param name="cancellationToken">Not used: starting does not block.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loop is not null)
            {
                return Task.CompletedTask;
            }

            _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }

        Log.InfluxWriterStarted(_logger, _options.Url!, _options.Database, _options.BatchSize, _options.BatchInterval);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking points, sends what is queued until <paramref name="cancellationToken"/> fires, then abandons the
    /// rest: their tasks are cancelled, so their senders are not acknowledged and will replay.
    /// </summary>
    /// <param name="cancellationToken">Ends the drain.</param>
    /// <returns>A task that completes when the sender has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<SpaceWaiter> waiters;
        Task? loop;
        lock (_gate)
        {
            _accepting = false;
            waiters = [.. _spaceWaiters];
            _spaceWaiters.Clear();
            loop = _loop;
            Wake();
        }

        foreach (var waiter in waiters)
        {
            waiter.Registration.Unregister();
            waiter.Admitted.TrySetCanceled(CancellationToken.None);
        }

        if (loop is not null)
        {
            try
            {
                await loop.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Drain time is up.
            }

            await _stopping.CancelAsync();
            await loop;
        }

        var abandoned = AbandonAll();
        Log.InfluxWriterStopped(_logger, abandoned);
    }

    /// <summary>Stops at once, abandoning whatever is not yet settled.</summary>
    /// <returns>A task that completes when the sender has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await StopAsync(new CancellationToken(canceled: true));
        _stopping.Dispose();
        _metrics.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static AuthenticationHeaderValue? BasicAuthorization(string? username, string? password) =>
        string.IsNullOrEmpty(username)
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    private static Uri BuildWriteUri(InfluxWriterOptions options)
    {
        var query = new StringBuilder("write?db=").Append(Uri.EscapeDataString(options.Database));
        if (!string.IsNullOrEmpty(options.RetentionPolicy))
        {
            query.Append("&rp=").Append(Uri.EscapeDataString(options.RetentionPolicy));
        }

        query.Append("&precision=").Append(LineProtocol.Precision);
        var baseUri = options.Url!.AbsoluteUri.EndsWith('/') ? options.Url : new Uri(options.Url.AbsoluteUri + "/");
        return new Uri(baseUri, query.ToString());
    }

    private WriteGroup Prepare(IReadOnlyList<InfluxPoint> points, string? origin)
    {
        ArgumentNullException.ThrowIfNull(points);
        var builder = t_builder ??= new InfluxLinesBuilder();
        builder.Clear();
        for (var i = 0; i < points.Count; i++)
        {
            builder.Append(points[i] ?? throw new ArgumentException($"Point {i} is null.", nameof(points)));
        }

        return Group(builder.ToLines(), origin, nameof(points));
    }

    private WriteGroup Group(InfluxLines lines, string? origin, string paramName)
    {
        ArgumentNullException.ThrowIfNull(lines, paramName);
        if (lines.Count == 0)
        {
            throw new ArgumentException("A group needs at least one point.", paramName);
        }

        if (lines.Count > _options.QueueCapacityLines || lines.ByteCount > _options.QueueCapacityBytes)
        {
            throw new ArgumentException(
                $"The group of {lines.Count} lines ({lines.ByteCount} bytes) is larger than the whole queue " +
                $"({InfluxWriterOptions.SectionName}:QueueCapacityLines {_options.QueueCapacityLines}, QueueCapacityBytes {_options.QueueCapacityBytes}).",
                paramName);
        }

        return new WriteGroup(lines, origin);
    }

    private void ThrowIfNotAccepting()
    {
        if (!_accepting)
        {
            throw new InvalidOperationException("The InfluxDB writer is stopping or stopped; it takes no more points.");
        }
    }

    private bool Fits(WriteGroup group) =>
        _heldLines + group.Count <= _options.QueueCapacityLines && _heldBytes + group.Bytes <= _options.QueueCapacityBytes;

    // Called under _gate.
    private void Admit(WriteGroup group)
    {
        var wasEmpty = _queue.Count == 0;
        group.FirstSequence = _nextSequence;
        group.EnqueuedAt = _time.GetTimestamp();
        for (var i = 0; i < group.Count; i++)
        {
            _queue.Enqueue(new LineRef(group, i));
        }

        _nextSequence += group.Count;
        _heldLines += group.Count;
        _heldBytes += group.Bytes;
        _queuedBytes += group.Bytes;
        if (wasEmpty || _queue.Count >= _options.BatchSize || _queuedBytes >= _options.MaxBatchBytes)
        {
            Wake();
        }
    }

    // Called under _gate.
    private void Wake() => _wake.TrySetResult();

    // Called under _gate: lets waiting groups in, in order, while they fit.
    private void AdmitWaiters()
    {
        while (_spaceWaiters.First is { } node && Fits(node.Value.Group))
        {
            _spaceWaiters.RemoveFirst();
            node.Value.Registration.Unregister();
            Admit(node.Value.Group);
            node.Value.Admitted.TrySetResult(node.Value.Group.Completion.Task);
        }
    }

    private void CancelWaiter(SpaceWaiter waiter, CancellationToken token)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return;
            }

            _spaceWaiters.Remove(waiter.Node);
            waiter.Admitted.TrySetCanceled(token);

            // The head may have been the one holding smaller groups back.
            AdmitWaiters();
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        List<LineRef>? next = null;
        Task<Body>? nextBody = null;
        try
        {
            while (true)
            {
                List<LineRef>? batch = null;
                Task<Body>? body = null;
                if (next is not null)
                {
                    (batch, body, next, nextBody) = (next, nextBody, null, null);
                }
                else
                {
                    TimeSpan? wait = null;
                    Task wake;
                    lock (_gate)
                    {
                        if (_queue.Count > 0)
                        {
                            if (IsDue(out var remaining))
                            {
                                batch = TakeBatch();
                            }
                            else
                            {
                                wait = remaining;
                            }
                        }
                        else if (!_accepting)
                        {
                            return;
                        }

                        if (_wake.Task.IsCompleted)
                        {
                            _wake = NewSignal();
                        }

                        wake = _wake.Task;
                    }

                    if (batch is null)
                    {
                        await WaitAsync(wake, wait, stop);
                        continue;
                    }
                }

                // While this batch is on the wire, compress the next one if it is already due: the sender then
                // never waits for gzip between requests. It is settled only after this one, so order holds.
                lock (_gate)
                {
                    if (_queue.Count > 0 && IsDue(out _))
                    {
                        next = TakeBatch();
                    }
                }

                if (next is not null)
                {
                    var lines = Sendable(next);
                    nextBody = lines.Count == 0 ? null : Task.Run(() => BuildBody(lines), CancellationToken.None);
                }

                await SettleAsync(batch, body, stop);
                Release(batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping: StopAsync abandons what is left.
        }
        catch (Exception ex)
        {
            // A bug, not a write failure (those are all retried above). Fail loudly: refuse new points and cancel
            // the pending ones so nobody acknowledges what was not stored. The owner hears of it first, before new
            // points are refused: nothing is acknowledged any more by the time the cancellations reach the ingest,
            // and the ingest, told the hub failed, does not dead-letter a good reading the writer refuses.
            try
            {
                _failed?.Invoke(ex);
            }
            finally
            {
                lock (_gate)
                {
                    _accepting = false;
                }

                var abandoned = AbandonAll();
                Log.InfluxWriterCrashed(_logger, ex, abandoned);
            }

            // Not rethrown: it is reported, and a faulted loop would only make StopAsync throw it again at shutdown.
        }
    }

    // Called under _gate with a non-empty queue: whether the head batch should go now, else how long until it should.
    private bool IsDue(out TimeSpan remaining)
    {
        var age = _time.GetElapsedTime(_queue.Peek().EnqueuedAt);
        remaining = _options.BatchInterval - age;
        return !_accepting
            || _queue.Count >= _options.BatchSize
            || _queuedBytes >= _options.MaxBatchBytes
            || _flushThrough >= _queue.Peek().Sequence
            || age >= _options.BatchInterval;
    }

    private static List<LineRef> Sendable(List<LineRef> batch)
    {
        var sendable = new List<LineRef>(batch.Count);
        foreach (var line in batch)
        {
            if (line.Rejection is null)
            {
                sendable.Add(line);
            }
        }

        return sendable;
    }

    private async Task WaitAsync(Task wake, TimeSpan? wait, CancellationToken stop)
    {
        if (wait is null)
        {
            await wake.WaitAsync(stop);
            return;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var delay = Task.Delay(wait.Value, _time, timer.Token);
        await Task.WhenAny(wake, delay);
        await timer.CancelAsync();
        stop.ThrowIfCancellationRequested();
    }

    // Called under _gate.
    private List<LineRef> TakeBatch()
    {
        var batch = new List<LineRef>(Math.Min(_queue.Count, _options.BatchSize));
        long bytes = 0;
        while (_queue.Count > 0 && batch.Count < _options.BatchSize)
        {
            var next = _queue.Peek();
            if (batch.Count > 0 && bytes + next.Length + 1 > _options.MaxBatchBytes)
            {
                break;
            }

            _queue.Dequeue();
            batch.Add(next);
            bytes += next.Length + 1;
            _queuedBytes -= next.Length;
        }

        _taken.Add(batch);
        return batch;
    }

    private void Release(List<LineRef> batch)
    {
        // Groups first: a caller woken by admission below should find earlier groups already settled.
        foreach (var line in batch)
        {
            line.Group.Settle(line.Index);
        }

        lock (_gate)
        {
            long bytes = 0;
            foreach (var line in batch)
            {
                bytes += line.Length;
            }

            _heldLines -= batch.Count;
            _heldBytes -= bytes;
            _settledThrough = batch[^1].Sequence;
            _taken.Remove(batch);
            for (var i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (_flushWaiters[i].Through <= _settledThrough)
                {
                    _flushWaiters[i].Done.TrySetResult();
                    _flushWaiters.RemoveAt(i);
                }
            }

            AdmitWaiters();
        }
    }

    private long AbandonAll()
    {
        List<LineRef> lines;
        List<FlushWaiter> flushes;
        lock (_gate)
        {
            lines = [.. _taken.SelectMany(b => b), .. _queue];
            _queue.Clear();
            _taken.Clear();
            _queuedBytes = 0;
            _heldLines = 0;
            _heldBytes = 0;
            flushes = [.. _flushWaiters];
            _flushWaiters.Clear();
        }

        foreach (var line in lines)
        {
            line.Group.Completion.TrySetCanceled(CancellationToken.None);
        }

        foreach (var flush in flushes)
        {
            flush.Done.TrySetCanceled(CancellationToken.None);
        }

        return lines.Count;
    }

    /// <summary>Settles every line of a batch: written or dead-lettered (and the dead letters stored).</summary>
    private async Task SettleAsync(List<LineRef> batch, Task<Body>? body, CancellationToken stop)
    {
        var dead = new List<Condemned>();
        foreach (var line in batch)
        {
            if (line.Rejection is { } reason)
            {
                dead.Add(new Condemned(line, reason, null));
            }
        }

        var sendable = Sendable(batch);
        var work = new Stack<List<LineRef>>();
        if (sendable.Count > 0)
        {
            work.Push(sendable);
        }

        while (work.TryPop(out var segment))
        {
            // Only the whole batch can use the body compressed ahead; halves are compressed on their own.
            var prepared = segment == sendable && body is not null ? await body : BuildBody(segment);
            var answer = await PostAsync(prepared, stop);
            switch (answer.Kind)
            {
                case AnswerKind.Stored:
                    _metrics.RecordWritten(segment.Count);
                    break;
                case AnswerKind.TooLarge when segment.Count == 1:
                    dead.Add(new Condemned(segment[0], $"HTTP 413: the line alone is larger than influxd accepts (max-body-size): {answer.Message}", 413));
                    break;
                case AnswerKind.TooLarge:
                    Split(segment, work, "413");
                    break;
                default:
                    Refused(segment, answer, dead, work);
                    break;
            }
        }

        if (dead.Count > 0)
        {
            await StoreDeadLettersAsync(dead, stop);
        }
    }

    private void Refused(List<LineRef> segment, Answer answer, List<Condemned> dead, Stack<List<LineRef>> work)
    {
        var prefix = $"HTTP {answer.Status.ToString(CultureInfo.InvariantCulture)}: ";
        var analysis = InfluxErrors.AnalyzeBadRequest(answer.Message, segment.ConvertAll(l => l.Utf8.ToArray()));
        if (analysis.AllDropped)
        {
            foreach (var line in segment)
            {
                dead.Add(new Condemned(line, prefix + answer.Message, answer.Status));
            }

            return;
        }

        if (analysis.Identified.Count > 0)
        {
            var named = new HashSet<int>();
            foreach (var id in analysis.Identified)
            {
                named.Add(id.Index);
                dead.Add(new Condemned(segment[id.Index], prefix + id.Reason, answer.Status));
            }

            var rest = new List<LineRef>(segment.Count - named.Count);
            for (var i = 0; i < segment.Count; i++)
            {
                if (!named.Contains(i))
                {
                    rest.Add(segment[i]);
                }
            }

            // Even when influxd says "partial write" its dropped count may be one shard's: the others are sent again
            // until a 2xx says they are stored (a repeat of a stored point only overwrites it).
            if (rest.Count > 0)
            {
                work.Push(rest);
            }

            return;
        }

        if (segment.Count == 1)
        {
            dead.Add(new Condemned(segment[0], prefix + answer.Message, answer.Status));
            return;
        }

        Split(segment, work, "bisect");
    }

    private void Split(List<LineRef> segment, Stack<List<LineRef>> work, string reason)
    {
        var half = segment.Count / 2;
        _metrics.RecordSplit(reason);
        Log.InfluxBatchSplit(_logger, segment.Count, reason);

        // Pushed second half first so the first half goes out first and groups keep their order.
        work.Push(segment.GetRange(half, segment.Count - half));
        work.Push(segment.GetRange(0, half));
    }

    /// <summary>Posts one segment until influxd gives an answer about the lines themselves (2xx, 413, 400, 422).</summary>
    private async Task<Answer> PostAsync(Body body, CancellationToken stop)
    {
        var transientAttempt = 0;
        while (true)
        {
            stop.ThrowIfCancellationRequested();
            var started = _time.GetTimestamp();
            int? status = null;
            string message;
            string outcome;
            TimeSpan? retryAfter = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, _writeUri);
                var content = new ByteArrayContent(body.Buffer, 0, body.Length);
                content.Headers.ContentType = s_contentType;
                if (_options.Gzip)
                {
                    content.Headers.ContentEncoding.Add("gzip");
                }

                request.Content = content;
                request.Headers.Authorization = _authorization;
                using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token);
                status = (int)response.StatusCode;
                outcome = status.Value.ToString(CultureInfo.InvariantCulture);
                var text = await response.Content.ReadAsStringAsync(linked.Token);
                var header = response.Headers.TryGetValues("X-Influxdb-Error", out var values) ? string.Join(' ', values) : null;
                message = InfluxErrors.ExtractMessage(text, header);
                if (message.Length == 0)
                {
                    message = response.ReasonPhrase ?? outcome;
                }

                retryAfter = RetrySchedule.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow());
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                outcome = "timeout";
                message = $"no answer within {_options.RequestTimeout}";
            }
            catch (HttpRequestException ex)
            {
                outcome = "network";
                message = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            }
            catch (IOException ex)
            {
                outcome = "network";
                message = ex.Message;
            }

            _metrics.RecordRequest(_time.GetElapsedTime(started).TotalSeconds, outcome);

            switch (status)
            {
                case >= 200 and < 300:
                    SetStatus(InfluxWriterState.Healthy, InfluxAlarm.None, null, null);
                    return new Answer(AnswerKind.Stored, status.Value, message);
                case 413:
                    SetStatus(InfluxWriterState.Healthy, InfluxAlarm.None, null, null);
                    return new Answer(AnswerKind.TooLarge, 413, message);
                case 400 or 422 when !InfluxErrors.IsDestinationMissing(message):
                    SetStatus(InfluxWriterState.Healthy, InfluxAlarm.None, null, null);
                    return new Answer(AnswerKind.Refused, status.Value, message);
                case 401 or 403 or 404:
                case not null when InfluxErrors.IsDestinationMissing(message):
                    {
                        // The data is fine; the writer is not allowed in. Keep everything, tell a person, knock slowly.
                        var alarm = status is 401 or 403 ? InfluxAlarm.AuthenticationFailed : InfluxAlarm.DestinationMissing;
                        if (SetStatus(InfluxWriterState.Held, alarm, status, message))
                        {
                            Log.InfluxWriterHeld(_logger, alarm, status.Value, message, Volatile.Read(ref _heldLines), _options.HeldRetryInterval);
                        }

                        _metrics.RecordRetry(outcome);
                        await Task.Delay(_options.HeldRetryInterval, _time, stop);
                        continue;
                    }

                default:
                    {
                        // 429, 5xx, 408, anything unexpected, timeouts and network errors: transient.
                        var delay = retryAfter is { } asked
                            ? Clamp(asked, _options.InitialRetryDelay, _options.MaxRetryAfter)
                            : Schedule.NextDelay(transientAttempt);
                        transientAttempt++;
                        SetStatus(InfluxWriterState.Retrying, InfluxAlarm.None, status, message);
                        Log.InfluxTransientFailure(_logger, outcome, message, transientAttempt, delay);
                        _metrics.RecordRetry(outcome);
                        await Task.Delay(delay, _time, stop);
                        continue;
                    }
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;

    private Body BuildBody(List<LineRef> lines)
    {
        var raw = 0;
        foreach (var line in lines)
        {
            raw += line.Length + 1;
        }

        // Lines are gathered first and deflated in one call: a native deflate call per line costs more than the
        // rest of the writer together.
        var plain = ArrayPool<byte>.Shared.Rent(raw);
        try
        {
            var at = 0;
            foreach (var line in lines)
            {
                line.Utf8.CopyTo(plain.AsSpan(at));
                at += line.Length;
                plain[at++] = (byte)'\n';
            }

            if (!_options.Gzip)
            {
                return new Body(plain.AsSpan(0, raw).ToArray(), raw);
            }

            using var buffer = new MemoryStream(Math.Max(1024, raw / 4));
            using (var gzip = new GZipStream(buffer, _options.CompressionLevel, leaveOpen: true))
            {
                gzip.Write(plain, 0, raw);
            }

            return new Body(buffer.GetBuffer(), (int)buffer.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    private async Task StoreDeadLettersAsync(List<Condemned> dead, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        var letters = dead.ConvertAll(d => new DeadLetter(Encoding.UTF8.GetString(d.Line.Utf8), d.Reason, d.Status, now, d.Line.Group.Origin));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _deadLetterSink.AddAsync(letters, stop);
                break;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The points stay unsettled (so unacknowledged) until the sink has them: retry, never drop.
                var delay = Schedule.NextDelay(attempt);
                Log.InfluxDeadLetterSinkFailed(_logger, ex, letters.Count, delay);
                await Task.Delay(delay, _time, stop);
            }
        }

        foreach (var d in dead)
        {
            d.Line.Group.MarkDead(d.Line.Index, d.Reason);
        }

        foreach (var byStatus in dead.GroupBy(d => d.Status))
        {
            var count = byStatus.Count();
            var reasonClass = byStatus.Key?.ToString(CultureInfo.InvariantCulture) ?? "format";
            _metrics.RecordDeadLetters(count, reasonClass);
            var first = byStatus.First();
            Log.InfluxDeadLettered(_logger, count, first.Reason, Encoding.UTF8.GetString(first.Line.Utf8));
        }
    }

    /// <summary>Changes the status; returns whether state or alarm changed (and the event was raised).</summary>
    private bool SetStatus(InfluxWriterState state, InfluxAlarm alarm, int? statusCode, string? error)
    {
        InfluxWriterStatus previous;
        InfluxWriterStatus next;
        lock (_gate)
        {
            previous = _status;
            if (previous.State == state && previous.Alarm == alarm)
            {
                if (state != InfluxWriterState.Healthy)
                {
                    _status = previous with { LastStatusCode = statusCode, LastError = error };
                }

                return false;
            }

            next = new InfluxWriterStatus(state, alarm, statusCode, error, _time.GetUtcNow());
            _status = next;
        }

        if (state == InfluxWriterState.Healthy)
        {
            Log.InfluxWriterRecovered(_logger, next.Since - previous.Since, previous.State);
        }

        try
        {
            StatusChanged?.Invoke(this, next);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A broken observer must not stop the data.
            Log.InfluxStatusHandlerFailed(_logger, ex);
        }

        return true;
    }

    private enum AnswerKind
    {
        Stored,
        TooLarge,
        Refused,
    }

    private readonly record struct Answer(AnswerKind Kind, int Status, string Message);

    private sealed record Body(byte[] Buffer, int Length);

    private readonly record struct Condemned(LineRef Line, string Reason, int? Status);

    private sealed record FlushWaiter(long Through, TaskCompletionSource Done);

    private sealed class SpaceWaiter(WriteGroup group)
    {
        public WriteGroup Group { get; } = group;

        public TaskCompletionSource<Task<InfluxWriteResult>> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<SpaceWaiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>One enqueue call: its lines and the task that reports on them.</summary>
    private sealed class WriteGroup(InfluxLines lines, string? origin)
    {
        private int _remaining = lines.Count;
        private List<DeadLetteredPoint>? _deadLettered;
        private string?[]? _deadReasons;

        public InfluxLines Lines { get; } = lines;

        public int Count => Lines.Count;

        public long Bytes => Lines.ByteCount;

        public string? Origin { get; } = origin;

        // Lines are admitted together: line i has sequence FirstSequence + i and the group's admission time.
        public long FirstSequence { get; set; }

        public long EnqueuedAt { get; set; }

        public TaskCompletionSource<InfluxWriteResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Only the sender task calls these, so no lock.
        public void MarkDead(int index, string reason) => (_deadReasons ??= new string?[Count])[index] = reason;

        public void Settle(int index)
        {
            if (_deadReasons?[index] is { } reason)
            {
                (_deadLettered ??= []).Add(new DeadLetteredPoint(index, reason));
            }

            if (--_remaining == 0)
            {
                _deadLettered?.Sort(static (a, b) => a.Index.CompareTo(b.Index));
                Completion.TrySetResult(new InfluxWriteResult(Count, (IReadOnlyList<DeadLetteredPoint>?)_deadLettered ?? []));
            }
        }
    }

    /// <summary>One line of a group, as the queue and the batches hold it: no object of its own.</summary>
    private readonly record struct LineRef(WriteGroup Group, int Index)
    {
        public ReadOnlySpan<byte> Utf8 => Group.Lines[Index];

        public int Length => Utf8.Length;

        public string? Rejection => Group.Lines.Rejection(Index);

        public long Sequence => Group.FirstSequence + Index;

        public long EnqueuedAt => Group.EnqueuedAt;
    }
}
