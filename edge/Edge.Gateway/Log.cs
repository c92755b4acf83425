using Edge.Contracts;
using Edge.Devices.Gpio;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway;

/// <summary>
/// Every log line of the gateway. Event ids by component: 31000s start and stop, 32000s MQTT session, 33000s outbox
/// and readings, 34000s devices, 35000s commands, 36000s systemd, 37000s health.
/// </summary>
internal static partial class Log
{
    // Start and stop: 31000–31999
    [LoggerMessage(EventId = 31001, Level = LogLevel.Information, Message = "Gateway {Gateway} (site {Site}, area {Area}) version {Version} starting with {Devices} devices")]
    public static partial void Starting(ILogger logger, string gateway, string site, string area, string version, int devices);

    [LoggerMessage(EventId = 31002, Level = LogLevel.Information, Message = "Ready: {Status}")]
    public static partial void Ready(ILogger logger, string status);

    [LoggerMessage(EventId = 31003, Level = LogLevel.Information, Message = "Stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 31004, Level = LogLevel.Information, Message = "Stopped cleanly in {ElapsedMs} ms; outbox closed at seq {LastSeq} with {Pending} readings awaiting the hub")]
    public static partial void Stopped(ILogger logger, long lastSeq, long pending, long elapsedMs);

    [LoggerMessage(EventId = 31005, Level = LogLevel.Information, Message = "Progress: accepted through seq {LastSeq}; {Pending} awaiting the hub; acked through {AckedThrough}; {Accepted} accepted and {Refused} refused since start; connected {Connected}")]
    public static partial void Progress(ILogger logger, long lastSeq, long pending, long ackedThrough, long accepted, long refused, bool connected);

    // MQTT session: 32000–32999
    [LoggerMessage(EventId = 32001, Level = LogLevel.Information, Message = "Connected to {Host}:{Port}: session {Session} born at seq {Seq}")]
    public static partial void SessionStarted(ILogger logger, string host, int port, long session, long seq);

    [LoggerMessage(EventId = 32002, Level = LogLevel.Warning, Message = "Connection of session {Session} lost; readings stay in the outbox until it is back")]
    public static partial void SessionLost(ILogger logger, long session);

    [LoggerMessage(EventId = 32003, Level = LogLevel.Warning, Message = "Cannot connect to {Host}:{Port} ({Failures} in a row): {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, int failures, string reason);

    [LoggerMessage(EventId = 32004, Level = LogLevel.Information, Message = "Published the graceful death of session {Session} at seq {Seq}")]
    public static partial void GracefulDeathPublished(ILogger logger, long session, long seq);

    [LoggerMessage(EventId = 32005, Level = LogLevel.Warning, Message = "Could not publish the graceful death ({Reason}); the broker publishes the Last Will instead")]
    public static partial void GracefulDeathFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 32006, Level = LogLevel.Debug, Message = "Publishing state to {Topic} failed: {Reason}")]
    public static partial void StatePublishFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 32007, Level = LogLevel.Error, Message = "Handling a message on {Topic} failed")]
    public static partial void MessageHandlerFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 32008, Level = LogLevel.Warning, Message = "Ignored a message on {Topic}: {Reason}")]
    public static partial void MessageRejected(ILogger logger, string topic, string reason);

    // Outbox and readings: 33000–33999
    [LoggerMessage(EventId = 33001, Level = LogLevel.Information, Message = "Outbox {Path} open at seq {LastSeq} with {Pending} readings awaiting the hub")]
    public static partial void OutboxOpened(ILogger logger, string path, long lastSeq, long pending);

    [LoggerMessage(EventId = 33002, Level = LogLevel.Error, Message = "Outbox file was corrupt and was moved aside to {MovedTo} ({Reason}; found at open: {AtOpen}); a fresh outbox continues at seq {NextSeq}")]
    public static partial void OutboxCorrupt(ILogger logger, string movedTo, string reason, bool atOpen, long nextSeq);

    [LoggerMessage(EventId = 33003, Level = LogLevel.Warning, Message = "Outbox quota state {Previous} -> {Current} ({Used} of {Max} bytes)")]
    public static partial void OutboxQuota(ILogger logger, OutboxQuotaState previous, OutboxQuotaState current, long used, long max);

    [LoggerMessage(EventId = 33004, Level = LogLevel.Warning, Message = "Reading of {Device} breaks the contract and was dropped: {Error}")]
    public static partial void ReadingInvalid(ILogger logger, string device, string error);

    [LoggerMessage(EventId = 33011, Level = LogLevel.Error, Message = "The outbox could not store a reading of {Device} ({Error}); the device keeps it and tries again")]
    public static partial void ReadingNotStored(ILogger logger, string device, string error);

    [LoggerMessage(EventId = 33005, Level = LogLevel.Information, Message = "{Count} counter positions moved forward from readings committed before the last stop")]
    public static partial void CounterPositionsReconciled(ILogger logger, int count);

    [LoggerMessage(EventId = 33006, Level = LogLevel.Error, Message = "Outbox entry {Seq} cannot be decoded and is not sent: {Reason}")]
    public static partial void EntryUndecodable(ILogger logger, long seq, string reason);

    // 33007 (an entry of unknown kind skipped) is retired: such an entry is declared lost like any undecodable one (33015).

    [LoggerMessage(EventId = 33008, Level = LogLevel.Warning, Message = "Declared {Count} abandonment(s) (seqs {Seqs}) to the hub in a birth of session {Session}; repeated until acknowledged")]
    public static partial void AbandonmentPublished(ILogger logger, int count, string seqs, long session);

    [LoggerMessage(EventId = 33009, Level = LogLevel.Error, Message = "Outbox salvage of {SideFile}: {Salvaged} items back with their original seqs, {Unreadable} seqs unreadable, {Lost} seqs declared possibly lost to the hub, {Unassigned} declared never assigned")]
    public static partial void OutboxSalvaged(ILogger logger, string sideFile, long salvaged, long unreadable, long lost, long unassigned);

    [LoggerMessage(EventId = 33010, Level = LogLevel.Error, Message = "Outbox salvage of {SideFile} failed ({Error}); it is tried again at the next start")]
    public static partial void OutboxSalvageFailed(ILogger logger, string sideFile, string error);

    [LoggerMessage(EventId = 33012, Level = LogLevel.Error, Message = "Counter positions could not be written to {Path} ({Error}); {Count} counter(s) go on from their positions in memory and nothing is counted twice. Until the file is written, acknowledgements leave the newest reading of each of those counters in the outbox (what a restart needs); the file is retried with every counter reading and every acknowledgement. Free space or fix the disk under the state directory")]
    public static partial void CounterPositionsNotWritten(ILogger logger, string path, int count, string error);

    [LoggerMessage(EventId = 33013, Level = LogLevel.Debug, Message = "Counter positions still not written to {Path}: {Count} waiting, attempt {Attempt} failed ({Error})")]
    public static partial void CounterPositionsStillNotWritten(ILogger logger, string path, int count, long attempt, string error);

    [LoggerMessage(EventId = 33014, Level = LogLevel.Warning, Message = "Counter positions written to {Path} again: {Count} caught up after {Failures} failed attempts over {ElapsedSeconds} s; acknowledgements apply in full again")]
    public static partial void CounterPositionsWrittenAgain(ILogger logger, string path, int count, long failures, long elapsedSeconds);

    [LoggerMessage(EventId = 33015, Level = LogLevel.Error, Message = "Outbox entry {Seq} ({Kind} of {Device}, accepted {AcceptedAt}) passed its checksum but this build cannot decode it ({Reason}): a gateway bug or a format change. It was removed from the outbox and declared lost to the hub (declaration seq {DeclarationSeq}); its payload was: {Payload}")]
    public static partial void EntryAbandoned(ILogger logger, long seq, string kind, string device, DateTimeOffset acceptedAt, string reason, long declarationSeq, string payload);

    [LoggerMessage(EventId = 33016, Level = LogLevel.Error, Message = "Outbox entry {Seq} cannot be decoded ({Reason}) and declaring it lost failed ({Error}); it stays in the outbox and is tried again when it is next sent")]
    public static partial void EntryAbandonFailed(ILogger logger, long seq, string reason, string error);

    // Devices: 34000–34999
    [LoggerMessage(EventId = 34001, Level = LogLevel.Error, Message = "Device {Device} stopped after a driver failure; it restarts in {Delay}")]
    public static partial void DeviceFailed(ILogger logger, Exception exception, string device, TimeSpan delay);

    [LoggerMessage(EventId = 34006, Level = LogLevel.Information, Message = "Device {Device} restarting after a driver failure")]
    public static partial void DeviceRestarting(ILogger logger, string device);

    [LoggerMessage(EventId = 34002, Level = LogLevel.Information, Message = "Scale {Device}: {WeightKg} kg stable ({Reason})")]
    public static partial void StableWeight(ILogger logger, string device, double weightKg, string reason);

    [LoggerMessage(EventId = 34003, Level = LogLevel.Error, Message = "Scale {Device}: more weighings waiting for room than can be kept; dropped {WeightKg} kg")]
    public static partial void WeighingDropped(ILogger logger, string device, double weightKg);

    [LoggerMessage(EventId = 34004, Level = LogLevel.Debug, Message = "PLC {Device}: value {Point} has no reading form and was skipped")]
    public static partial void PlcValueSkipped(ILogger logger, string device, string point);

    [LoggerMessage(EventId = 34005, Level = LogLevel.Warning, Message = "Output {Device}: setting the initial level failed: {Reason}")]
    public static partial void OutputInitialFailed(ILogger logger, string device, string reason);

    // Commands: 35000–35999
    [LoggerMessage(EventId = 35001, Level = LogLevel.Warning, Message = "Command {CommandId} for {Device} expired at {ExpiresAt} and was dropped")]
    public static partial void CommandExpired(ILogger logger, string commandId, string device, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 35002, Level = LogLevel.Information, Message = "Command {CommandId} for {Device} was executed before; not again")]
    public static partial void CommandDuplicate(ILogger logger, string commandId, string device);

    [LoggerMessage(EventId = 35003, Level = LogLevel.Information, Message = "Command {CommandId}: {Device} {Value} -> {Outcome}")]
    public static partial void CommandExecuted(ILogger logger, string commandId, string device, OutputValue value, OutputCommandOutcome outcome);

    // systemd: 36000–36999
    [LoggerMessage(EventId = 36001, Level = LogLevel.Information, Message = "systemd watchdog: timeout {TimeoutMs} ms, pinging every {PeriodMs} ms")]
    public static partial void WatchdogEnabled(ILogger logger, long timeoutMs, long periodMs);

    [LoggerMessage(EventId = 36002, Level = LogLevel.Error, Message = "systemd watchdog ping withheld: {Reason}")]
    public static partial void WatchdogWithheld(ILogger logger, string reason);

    // Health: 37000–37999
    [LoggerMessage(EventId = 37001, Level = LogLevel.Information, Message = "Health of {Device}: {State} {Message}")]
    public static partial void DeviceHealthChanged(ILogger logger, string device, DeviceState state, string message);

    [LoggerMessage(EventId = 37002, Level = LogLevel.Error, Message = "Health of {Device} breaks the contract and was not sent: {Error}")]
    public static partial void HealthInvalid(ILogger logger, string device, string error);

    [LoggerMessage(EventId = 37003, Level = LogLevel.Error, Message = "Checking device health failed")]
    public static partial void HealthCheckFailed(ILogger logger, Exception exception);
}
