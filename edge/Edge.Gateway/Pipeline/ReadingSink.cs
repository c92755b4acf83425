using Edge.Contracts;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>What became of one reading or scan handed to the <see cref="ReadingSink"/>.</summary>
internal enum AcceptOutcome
{
    /// <summary>Stored durably; it has a seq.</summary>
    Accepted,

    /// <summary>The outbox is full (quota or disk): NOT stored, no seq. The producer keeps or folds it.</summary>
    Refused,

    /// <summary>The hub would refuse it (a contract rule is broken): dropped and counted; a bug or a broken device.</summary>
    Invalid,
}

/// <summary>The result of <see cref="ReadingSink.AcceptAsync(Reading, CancellationToken)"/>.</summary>
internal readonly record struct AcceptResult(AcceptOutcome Outcome, long Seq)
{
    public bool Accepted => Outcome == AcceptOutcome.Accepted;
}

/// <summary>
/// The one door into the outbox for every device: checks each reading or scan against the contract
/// (<see cref="ContractCodec.TryValidate"/>) so nothing the hub would refuse is ever stored, then appends it and
/// returns its seq once it is durable. Thread-safe.
/// </summary>
internal sealed class ReadingSink
{
    private readonly string _gatewayId;
    private readonly Outbox.Outbox _outbox;
    private readonly IClockSyncSource _clock;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _accepted;
    private long _refused;
    private long _invalid;

    public ReadingSink(string gatewayId, Outbox.Outbox outbox, IClockSyncSource clock, TimeProvider time, ILogger logger)
    {
        _gatewayId = gatewayId;
        _outbox = outbox;
        _clock = clock;
        _time = time;
        _logger = logger;
    }

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Refused => Interlocked.Read(ref _refused);

    public long Invalid => Interlocked.Read(ref _invalid);

    public Outbox.Outbox Outbox => _outbox;

    public async ValueTask<AcceptResult> AcceptAsync(Reading reading, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var synced = _clock.IsSynchronized;
        var probe = reading.Seq == 1 ? reading : reading with { Seq = 1 };
        var envelope = new ReadingBatch { GatewayId = _gatewayId, Seq = 1, Ts = now, ClockSynced = synced, Readings = [probe] };
        if (!ContractCodec.TryValidate(envelope, now, out var error))
        {
            Interlocked.Increment(ref _invalid);
            Log.ReadingInvalid(_logger, reading.Device, error.ToString());
            return new AcceptResult(AcceptOutcome.Invalid, 0);
        }

        var item = new OutboxItem(Payloads.ReadingKind, reading.Device, reading.Ts, synced, Payloads.Serialize(probe));
        return await AppendAsync(item, cancellationToken);
    }

    public async ValueTask<AcceptResult> AcceptAsync(ScanEvent scan, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var synced = _clock.IsSynchronized;
        var probe = scan with { GatewayId = _gatewayId, Seq = 1, ClockSynced = synced, Replay = false };
        if (!ContractCodec.TryValidate(probe, now, out var error))
        {
            Interlocked.Increment(ref _invalid);
            Log.ReadingInvalid(_logger, scan.Device, error.ToString());
            return new AcceptResult(AcceptOutcome.Invalid, 0);
        }

        var item = new OutboxItem(Payloads.ScanKind, scan.Device, scan.Ts, synced, Payloads.Serialize(probe));
        return await AppendAsync(item, cancellationToken);
    }

    private async ValueTask<AcceptResult> AppendAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        try
        {
            var seq = await _outbox.AppendAsync(item, cancellationToken);
            Interlocked.Increment(ref _accepted);
            return new AcceptResult(AcceptOutcome.Accepted, seq);
        }
        catch (OutboxFullException)
        {
            // The outbox raised its quota alarm (health says so); the producer decides whether to keep the item.
            Interlocked.Increment(ref _refused);
            return new AcceptResult(AcceptOutcome.Refused, 0);
        }
        catch (OutboxStorageException ex)
        {
            // An I/O error or a lock held by another program: nothing was stored, and it may pass. A refusal keeps the
            // reading with its producer (which tries again) and keeps the device running; a throw would end its loop.
            Interlocked.Increment(ref _refused);
            Log.ReadingNotStored(_logger, item.DeviceId, ex.Message);
            return new AcceptResult(AcceptOutcome.Refused, 0);
        }
    }
}
