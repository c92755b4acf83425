using System.Globalization;
using Edge.Contracts;
using Edge.Gateway.Devices;
using Edge.Gateway.Options;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// Publishes each device's <see cref="DeviceHealth"/> (retained) when its state changes and every
/// <c>Gateway:Publishing:HealthInterval</c>, plus the outbox's own health under <c>gateway.outbox</c>: degraded when
/// the quota alarm is raised, down while readings are refused.
/// </summary>
internal sealed class HealthPublisher
{
    private readonly GatewayOptions _options;
    private readonly IReadOnlyList<IGatewayDevice> _devices;
    private readonly Outbox.Outbox _outbox;
    private readonly ReadingSink _sink;
    private readonly MqttSession _session;
    private readonly IClockSyncSource _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DeviceState> _lastSent = new(StringComparer.Ordinal);
    private DateTimeOffset _lastFull = DateTimeOffset.MinValue;
    private volatile bool _fullRequested = true;
    private DateTimeOffset? _outboxLastGood;
    private (string Text, DateTimeOffset At)? _corruption;
    private (string Text, DateTimeOffset At)? _salvage;

    public HealthPublisher(GatewayOptions options, IReadOnlyList<IGatewayDevice> devices, Outbox.Outbox outbox, ReadingSink sink, MqttSession session, IClockSyncSource clock, TimeProvider time, ILogger logger)
    {
        _options = options;
        _devices = devices;
        _outbox = outbox;
        _sink = sink;
        _session = session;
        _clock = clock;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long the outbox reports itself degraded after a corrupt file was moved aside: someone must look.</summary>
    public static readonly TimeSpan CorruptionNoticeFor = TimeSpan.FromHours(24);

    /// <summary>A corrupt outbox file was moved aside: reported in the outbox's health until someone has seen it.</summary>
    public void ReportCorruption(string movedTo, long nextSeq) =>
        _corruption = (string.Create(CultureInfo.InvariantCulture, $"a corrupt outbox file was moved aside to {movedTo}; seqs continue at {nextSeq}"), _time.GetUtcNow());

    /// <summary>A corrupt outbox file was salvaged: what came back and what was declared lost, reported beside the move.</summary>
    public void ReportSalvage(OutboxSalvageEventArgs e) =>
        _salvage = (e.Error is null
            ? string.Create(CultureInfo.InvariantCulture, $"{e.SalvagedItems} items salvaged from {Path.GetFileName(e.SideFile)}, {e.LostSeqs} seqs declared possibly lost")
            : $"salvage of {Path.GetFileName(e.SideFile)} failed, tried again at the next start", _time.GetUtcNow());

    /// <summary>Every device is published at the next check (after a connect).</summary>
    public void RequestFull() => _fullRequested = true;

    /// <summary>The statuses for a birth message.</summary>
    public IReadOnlyList<DeviceStatus> Statuses()
    {
        var list = _devices.Select(d => d.Health.GetSnapshot().ToDeviceStatus()).ToList();
        list.Add(OutboxStatus());
        return list;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Publishing.HealthCheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await CheckAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Health is a report: one failed round must not end the reporting.
                    Log.HealthCheckFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var full = _fullRequested || now - _lastFull >= _options.Publishing.HealthInterval;
        var sentAll = true;
        foreach (var device in _devices)
        {
            var changed = device.Health.TryGetTransition(out var snapshot);
            if (changed)
            {
                Log.DeviceHealthChanged(_logger, device.Id, snapshot.State, snapshot.Message ?? string.Empty);
            }

            if (changed || full)
            {
                sentAll &= await PublishAsync(snapshot.ToDeviceStatus(), cancellationToken);
            }
        }

        var outbox = OutboxStatus();
        var outboxChanged = !_lastSent.TryGetValue(outbox.Device, out var last) || last != outbox.State;
        if (outboxChanged)
        {
            Log.DeviceHealthChanged(_logger, outbox.Device, outbox.State, outbox.Message ?? string.Empty);
        }

        if (outboxChanged || full)
        {
            sentAll &= await PublishAsync(outbox, cancellationToken);
        }

        _lastSent[outbox.Device] = outbox.State;
        if (full && sentAll)
        {
            _fullRequested = false;
            _lastFull = now;
        }
        else if (!sentAll)
        {
            // Offline: everything goes out again after the next connect.
            _fullRequested = true;
        }
    }

    private DeviceStatus OutboxStatus()
    {
        var status = _outbox.Status;
        var now = _time.GetUtcNow();
        var percent = status.MaxBytes == 0 ? 0 : 100.0 * status.UsedBytes / status.MaxBytes;
        var text = string.Create(CultureInfo.InvariantCulture, $"{status.PendingItems} readings waiting for the hub; {percent:0.#}% of the {status.MaxBytes / (1024 * 1024.0):0.#} MiB quota; {_sink.Refused} refused since start");
        var state = status.QuotaState switch
        {
            OutboxQuotaState.Full => DeviceState.Down,
            OutboxQuotaState.Warning => DeviceState.Degraded,
            _ => DeviceState.Ok,
        };
        if (state == DeviceState.Ok)
        {
            _outboxLastGood = now;
        }

        var message = state switch
        {
            DeviceState.Down => "outbox full: new readings are refused; " + text,
            DeviceState.Degraded => "outbox quota alarm: " + text,
            _ => text,
        };
        if (_salvage is { } v && now - v.At < CorruptionNoticeFor)
        {
            state = state == DeviceState.Ok ? DeviceState.Degraded : state;
            message = v.Text + "; " + message;
        }

        if (_corruption is { } c && now - c.At < CorruptionNoticeFor)
        {
            state = state == DeviceState.Ok ? DeviceState.Degraded : state;
            message = c.Text + "; " + message;
        }

        if (message.Length > ContractLimits.MaxTextLength)
        {
            // Long state-directory paths must not cost the whole report (the hub refuses longer text).
            message = message[..ContractLimits.MaxTextLength];
        }

        return new DeviceStatus { Device = GatewayOptionsValidator.OutboxHealthDevice, State = state, LastGoodReadAt = _outboxLastGood, ErrorCount = _sink.Refused, Message = message };
    }

    private async Task<bool> PublishAsync(DeviceStatus s, CancellationToken cancellationToken)
    {
        if (!_session.IsConnected)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var message = new DeviceHealth
        {
            GatewayId = _options.Id,
            Seq = _outbox.LastSeq,
            Ts = now,
            ClockSynced = _clock.IsSynchronized,
            Device = s.Device,
            State = s.State,
            LastGoodReadAt = s.LastGoodReadAt,
            ErrorCount = s.ErrorCount,
            Message = s.Message,
        };
        if (!ContractCodec.TryValidate(message, now, out var error))
        {
            Log.HealthInvalid(_logger, s.Device, error.ToString());
            return true;
        }

        var ok = await _session.TryPublishAsync(_session.Topic(MessageKind.Health, s.Device), ContractCodec.Encode(message), retain: true, cancellationToken);
        if (ok)
        {
            _lastSent[s.Device] = s.State;
        }

        return ok;
    }
}
