using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Edge.Contracts;
using Edge.Devices.Gpio;
using Edge.Gateway.Devices;
using Edge.Gateway.Options;
using Edge.Gateway.State;
using Edge.Gateway.Systemd;
using Edge.Mqtt;
using Edge.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// Runs the gateway in order: outbox open (a corrupt file moved aside) → counter positions reconciled → devices →
/// dispatcher and MQTT session → READY. Stops in reverse within <c>Gateway:ShutdownTimeout</c>: devices stop and
/// their last readings commit, the dispatcher stops, the graceful death goes out, the outbox closes cleanly.
/// </summary>
internal sealed class GatewayService : IHostedService, IAsyncDisposable
{
    private readonly IOptions<GatewayOptions> _optionsAccessor;
    private readonly IClockSyncSource _clock;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SystemdNotifier _notifier;
    private readonly GatewayLiveness _liveness;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly List<(IGatewayDevice Device, Task Task)> _running = [];

    // Found at open, before the health publisher exists; handed over once it does.
    private readonly ConcurrentQueue<(string MovedTo, long NextSeq)> _corruptions = new();
    private readonly ConcurrentQueue<OutboxSalvageEventArgs> _salvages = new();
    private GatewayOptions _options = new();
    private Outbox.Outbox? _outbox;
    private OutboxDispatcher? _dispatcher;
    private MqttSession? _session;
    private ModbusLinks? _links;
    private OutputController? _outputs;
    private CommandLedger? _ledger;
    private SessionCounter? _sessions;
    private CounterPositions? _positions;
    private ReadingSink? _sink;
    private HealthPublisher? _health;
    private List<IGatewayDevice> _devices = [];
    private int _stopped;

    public GatewayService(IOptions<GatewayOptions> options, IClockSyncSource clock, TimeProvider time, ILoggerFactory loggers, SystemdNotifier notifier, GatewayLiveness liveness)
    {
        _optionsAccessor = options;
        _clock = clock;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Edge.Gateway");
        _notifier = notifier;
        _liveness = liveness;
    }

    public static string SoftwareVersion { get; } =
        typeof(GatewayService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _options = _optionsAccessor.Value;
        var o = _options;
        Directory.CreateDirectory(o.StateDirectory);
        Log.Starting(_logger, o.Id, o.Site, o.Area, SoftwareVersion, o.Devices.Count);

        // 1. The outbox: nothing is read from a device before there is a durable place to put it.
        var outboxOptions = new OutboxOptions
        {
            DatabasePath = o.Outbox.Path ?? Path.Combine(o.StateDirectory, "outbox.db"),
            MaxBytes = o.Outbox.MaxBytes,
            WarnAtFraction = o.Outbox.WarnAtFraction,
            QuickCheckOnOpen = o.Outbox.QuickCheckOnOpen,
        };
        _outbox = new Outbox.Outbox(outboxOptions, _loggers.CreateLogger<Outbox.Outbox>(), _time);
        _outbox.CorruptDatabaseMovedAside += (_, e) =>
        {
            Log.OutboxCorrupt(_logger, e.MovedTo, e.Reason, e.DetectedAtOpen, e.NextSeq);
            _health?.ReportCorruption(e.MovedTo, e.NextSeq);
            _corruptions.Enqueue((e.MovedTo, e.NextSeq));
        };
        _outbox.CorruptDatabaseSalvaged += (_, e) =>
        {
            if (e.Error is null)
            {
                Log.OutboxSalvaged(_logger, e.SideFile, e.SalvagedItems, e.UnreadableSeqs, e.LostSeqs, e.UnassignedRanges.Sum(r => r.To - r.From + 1));
            }
            else
            {
                Log.OutboxSalvageFailed(_logger, e.SideFile, e.Error);
            }

            _health?.ReportSalvage(e);
            _salvages.Enqueue(e);
        };
        _outbox.QuotaStateChanged += (_, e) => Log.OutboxQuota(_logger, e.Previous, e.Current, e.UsedBytes, e.MaxBytes);

        // A row salvaged from a corrupt file is sent only if it is still exactly what this gateway wrote.
        _outbox.SalvageFilter = entry => Payloads.IsSendable(entry, o.Id, _time.GetUtcNow());
        await _outbox.OpenAsync(cancellationToken);
        Log.OutboxOpened(_logger, _outbox.DatabasePath, _outbox.LastSeq, _outbox.Status.PendingItems);

        // 2. Counter positions: where the hub's sums stand, including readings committed just before a crash.
        _positions = new CounterPositions(o.StateDirectory, _loggers.CreateLogger("Edge.Gateway.Counters"), _time);
        var counterDevices = o.Devices.Where(DeviceFactory.KeepsCounterPositions).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var moved = await _positions.ReconcileAsync(_outbox, counterDevices, cancellationToken);
        if (moved > 0)
        {
            Log.CounterPositionsReconciled(_logger, moved);
        }

        _sink = new ReadingSink(o.Id, _outbox, _clock, _time, _loggers.CreateLogger("Edge.Gateway.Readings"));
        _ledger = new CommandLedger(o.StateDirectory, _time);
        _links = new ModbusLinks(_loggers);

        // 3. Devices (built now, run after the session starts so their first readings go out live).
        _devices = [.. o.Devices.Select(d => DeviceFactory.Create(d, _sink, _positions, _links, _time, _loggers))];
        _outputs = new OutputController(
            _devices.OfType<OutputDevice>().ToDictionary(d => d.Id, d => (IOutputLine)d, StringComparer.Ordinal),
            _time,
            _loggers.CreateLogger<OutputController>());

        // 4. Session, health and dispatcher.
        var sessions = _sessions = new SessionCounter(o.StateDirectory);
        HealthPublisher? health = null;
        _session = new MqttSession(o, sessions, () => _outbox.LastSeq, () => health?.Statuses() ?? [], _clock, _time, _loggers, SoftwareVersion);
        health = _health = new HealthPublisher(o, _devices, _outbox, _sink, _session, _clock, _time, _loggers.CreateLogger("Edge.Gateway.Health"));
        while (_corruptions.TryDequeue(out var corruption))
        {
            _health.ReportCorruption(corruption.MovedTo, corruption.NextSeq);
        }

        while (_salvages.TryDequeue(out var salvage))
        {
            _health.ReportSalvage(salvage);
        }

        var transport = new MqttTransport(_session, _outbox, o.Id, o.Publishing.MaxReadingsPerBatch, _time, _loggers.CreateLogger("Edge.Gateway.Transport"));
        var delivery = new OutboxDeliveryOptions
        {
            AckTimeout = o.Outbox.ResendTimeout,
            BacklogItemsPerSecond = o.Outbox.ReplayItemsPerSecond,
            BacklogBurst = (int)Math.Clamp(o.Outbox.ReplayItemsPerSecond, 1, 100_000),
            MaxPublishBatch = Math.Max(o.Publishing.MaxReadingsPerBatch, 500),
        };
        _dispatcher = new OutboxDispatcher(_outbox, transport, delivery, _loggers.CreateLogger<OutboxDispatcher>(), _time);
        _session.MessageHandler = HandleMessageAsync;
        _session.Connected += () =>
        {
            _dispatcher.OnConnected();
            _health.RequestFull();
        };
        _session.Disconnected += _dispatcher.OnDisconnected;
        _dispatcher.Start();
        _session.Start();

        var token = _stopping.Token;
        foreach (var device in _devices)
        {
            _running.Add((device, Task.Run(() => DeviceSupervisor.RunAsync(device, _time, _logger, token), CancellationToken.None)));
        }

        _loops.Add(Task.Run(() => _health.RunAsync(token), CancellationToken.None));
        _loops.Add(Task.Run(() => StatusLoopAsync(token), CancellationToken.None));
        _liveness.SetProbe(ct => _outbox.ReadAsync(long.MaxValue - 1, 1, ct));

        var ready = string.Create(CultureInfo.InvariantCulture, $"{_devices.Count} devices, outbox at seq {_outbox.LastSeq}, connecting to {o.Mqtt.Host}:{o.Mqtt.Port}");
        _notifier.NotifyReady(ready);
        Log.Ready(_logger, ready);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        var started = _time.GetTimestamp();
        _notifier.NotifyStopping("stopping: committing the last readings");
        Log.Stopping(_logger);
        await _stopping.CancelAsync();

        // Devices first: their last readings (a pulse counter's final count) commit while the outbox is open.
        var deviceBudget = _options.ShutdownTimeout / 2;
        await WaitAllAsync(_running.Select(r => r.Task), deviceBudget);
        await WaitAllAsync(_loops, TimeSpan.FromMilliseconds(500));
        if (_outputs is not null)
        {
            await _outputs.DisposeAsync();
        }

        if (_dispatcher is not null)
        {
            await _dispatcher.DisposeAsync();
        }

        if (_session is not null)
        {
            await _session.StopAsync(TimeSpan.FromSeconds(1));
        }

        foreach (var d in _devices)
        {
            await d.DisposeAsync();
        }

        if (_links is not null)
        {
            await _links.DisposeAsync();
        }

        _ledger?.Dispose();
        _sessions?.Dispose();
        _positions?.Dispose();
        if (_outbox is not null)
        {
            var last = _outbox.LastSeq;
            var pending = _outbox.Status.PendingItems;
            await _outbox.DisposeAsync();
            var elapsedMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            Log.Stopped(_logger, last, pending, elapsedMs);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    private async Task HandleMessageAsync(MqttMessage message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!ContractCodec.TryDecode(message.Topic, message.Payload.Span, now, out _, out var decoded, out var error))
        {
            Log.MessageRejected(_logger, message.Topic, error.ToString());
            return;
        }

        switch (decoded)
        {
            case Acknowledgement ack when ack.GatewayId == _options.Id:
                // A counter reading whose position is not on disk must stay in the outbox: a restart would otherwise
                // resume that counter from an older position and count the difference again.
                var ranges = ack.Ranges?.Select(r => new OutboxSeqRange(r.From, r.To)).ToList();
                var (storedThrough, keep) = await _positions!.AcknowledgeableAsync(ack.StoredThrough, ranges, cancellationToken);
                await _dispatcher!.AcknowledgeAsync(storedThrough, keep, cancellationToken);
                break;
            case Command command when command.GatewayId == _options.Id:
                await ExecuteAsync(command, now, cancellationToken);
                break;
            default:
                Log.MessageRejected(_logger, message.Topic, "not an acknowledgement or command for this gateway");
                break;
        }
    }

    private async Task ExecuteAsync(Command command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (command.IsExpired(now))
        {
            Log.CommandExpired(_logger, command.CommandId, command.Device, command.ExpiresAt);
            return;
        }

        if (!_ledger!.TryClaim(command.CommandId, command.ExpiresAt))
        {
            Log.CommandDuplicate(_logger, command.CommandId, command.Device);
            return;
        }

        var outcome = await _outputs!.ExecuteAsync(command, cancellationToken);
        Log.CommandExecuted(_logger, command.CommandId, command.Device, command.Value, outcome);
    }

    private async Task StatusLoopAsync(CancellationToken cancellationToken)
    {
        var progress = _options.Publishing.ProgressLogInterval;
        var period = progress > TimeSpan.Zero && progress < TimeSpan.FromSeconds(10) ? progress : TimeSpan.FromSeconds(10);
        var lastProgress = _time.GetUtcNow();
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var status = _outbox!.Status;
                var delivery = _dispatcher!.Status;
                var text = string.Create(
                    CultureInfo.InvariantCulture,
                    $"{(delivery.Connected ? "connected" : "offline")}; accepted through seq {status.LastSeq}; {status.PendingItems} awaiting the hub; acked through {delivery.AckedThrough}; {_sink!.Refused} refused");
                _notifier.NotifyStatus(text);
                var now = _time.GetUtcNow();
                if (progress > TimeSpan.Zero && now - lastProgress >= progress)
                {
                    lastProgress = now;
                    Log.Progress(_logger, status.LastSeq, status.PendingItems, delivery.AckedThrough, _sink.Accepted, _sink.Refused, delivery.Connected);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static async Task WaitAllAsync(IEnumerable<Task> tasks, TimeSpan budget)
    {
        try
        {
            await Task.WhenAll(tasks).WaitAsync(budget);
        }
        catch (TimeoutException)
        {
            // The rest is abandoned: shutdown must finish inside the service manager's stop timeout.
        }
        catch (OperationCanceledException)
        {
        }
    }
}
