using Microsoft.Extensions.Logging;

namespace Edge.Devices;

/// <summary>
/// Every log line of this assembly. Event ids by component: 21000s scales, 22000s PLCs, 23000s scanners, 24000s GPIO.
/// </summary>
internal static partial class Log
{
    // Scales: 21000–21999
    [LoggerMessage(EventId = 21001, Level = LogLevel.Information, Message = "Scale {Device}: source opened")]
    public static partial void ScaleSourceOpened(ILogger logger, string device);

    [LoggerMessage(EventId = 21002, Level = LogLevel.Warning, Message = "Scale {Device}: source failed; retrying in {Delay}")]
    public static partial void ScaleSourceFailed(ILogger logger, string device, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 21003, Level = LogLevel.Debug, Message = "Scale {Device}: frame rejected ({Reason})")]
    public static partial void ScaleFrameRejected(ILogger logger, string device, Scales.FrameRejection reason);

    [LoggerMessage(EventId = 21004, Level = LogLevel.Warning, Message = "Scale {Device}: source ended or went silent for {Silence}; reopening in {Delay}")]
    public static partial void ScaleSourceSilent(ILogger logger, string device, TimeSpan silence, TimeSpan delay);

    [LoggerMessage(EventId = 21005, Level = LogLevel.Warning, Message = "Scale {Device}: register read failed; retrying in {Delay}")]
    public static partial void ScaleReadFailed(ILogger logger, string device, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 21006, Level = LogLevel.Warning, Message = "Scale {Device}: poll command could not be sent")]
    public static partial void ScalePollCommandFailed(ILogger logger, string device, Exception exception);

    // PLCs: 22000–22999
    [LoggerMessage(EventId = 22001, Level = LogLevel.Warning, Message = "PLC {Device}: poll failed ({Failures} in a row); retrying in {Delay}")]
    public static partial void PlcPollFailed(ILogger logger, string device, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 22002, Level = LogLevel.Information, Message = "PLC {Device}: recovered after {Failures} failed polls")]
    public static partial void PlcRecovered(ILogger logger, string device, int failures);

    [LoggerMessage(EventId = 22003, Level = LogLevel.Warning, Message = "PLC {Device}: counter {Point} went back to {Raw}; taken as a reset, epoch {Epoch}")]
    public static partial void PlcCounterReset(ILogger logger, string device, string point, ulong raw, long epoch);

    [LoggerMessage(EventId = 22004, Level = LogLevel.Debug, Message = "PLC {Device}: {Point} decoded to a value that is not a finite number within limits; not reported")]
    public static partial void PlcBadValue(ILogger logger, string device, string point);

    [LoggerMessage(EventId = 22005, Level = LogLevel.Information, Message = "PLC {Device}: {Entries} entries read with {Requests} requests covering {Registers} registers/bits")]
    public static partial void PlcPlan(ILogger logger, string device, int entries, int requests, int registers);

    [LoggerMessage(EventId = 22006, Level = LogLevel.Warning, Message = "PLC {Device}: a poll took longer than the interval; {Skipped} scheduled polls skipped")]
    public static partial void PlcOverrun(ILogger logger, string device, long skipped);

    // Scanners: 23000–23999
    [LoggerMessage(EventId = 23001, Level = LogLevel.Debug, Message = "Scanner {Device}: repeat of a code within the window suppressed")]
    public static partial void ScanSuppressed(ILogger logger, string device);

    [LoggerMessage(EventId = 23002, Level = LogLevel.Warning, Message = "Scanner {Device}: read rejected ({Reason})")]
    public static partial void ScanRejected(ILogger logger, string device, Scanners.ScanRejection reason);

    [LoggerMessage(EventId = 23003, Level = LogLevel.Warning, Message = "Scanner {Device}: source failed; retrying in {Delay}")]
    public static partial void ScannerSourceFailed(ILogger logger, string device, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 23004, Level = LogLevel.Warning, Message = "Scanner {Device}: source ended; reopening in {Delay}")]
    public static partial void ScannerSourceEnded(ILogger logger, string device, TimeSpan delay);

    // GPIO: 24000–24999
    [LoggerMessage(EventId = 24001, Level = LogLevel.Warning, Message = "Pulse counter {Device}: {Count} edges seem to be missing (two {Edge} edges in a row or time going backwards)")]
    public static partial void PulseSuspectedMiss(ILogger logger, string device, long count, Gpio.EdgeKind edge);

    [LoggerMessage(EventId = 24006, Level = LogLevel.Warning, Message = "Pulse counter {Device}: edge source failed; reopening")]
    public static partial void PulseSourceFailed(ILogger logger, string device, Exception exception);

    [LoggerMessage(EventId = 24002, Level = LogLevel.Warning, Message = "Command {CommandId} for output {Output} not executed: {Outcome}")]
    public static partial void OutputCommandRejected(ILogger logger, string commandId, string output, Gpio.OutputCommandOutcome outcome);

    [LoggerMessage(EventId = 24003, Level = LogLevel.Information, Message = "Command {CommandId}: output {Output} set {Value}")]
    public static partial void OutputSet(ILogger logger, string commandId, string output, Contracts.OutputValue value);

    [LoggerMessage(EventId = 24004, Level = LogLevel.Error, Message = "Output {Output}: switching off at the end of a pulse failed")]
    public static partial void OutputPulseEndFailed(ILogger logger, string output, Exception exception);

    [LoggerMessage(EventId = 24005, Level = LogLevel.Error, Message = "Command {CommandId}: writing output {Output} failed")]
    public static partial void OutputWriteFailed(ILogger logger, string commandId, string output, Exception exception);
}
