using Edge.Simulators.Weighbridge;
using Microsoft.Extensions.Logging;

namespace Edge.Simulators;

/// <summary>Every log line of the simulators. Event ids: 41000s outputs, 42000s weighbridge, 43000s PLC, 44000s scanners.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 41001, Level = LogLevel.Information, Message = "{Name} listening on {Address}:{Port}")]
    public static partial void Listening(ILogger logger, string name, string address, int port);

    [LoggerMessage(EventId = 41002, Level = LogLevel.Information, Message = "{Name} writing to serial device {Path}")]
    public static partial void WritingSerial(ILogger logger, string name, string path);

    [LoggerMessage(EventId = 41003, Level = LogLevel.Information, Message = "{Name}: client {Remote} connected")]
    public static partial void ClientConnected(ILogger logger, string name, string remote);

    [LoggerMessage(EventId = 41004, Level = LogLevel.Information, Message = "{Name}: client dropped ({Reason})")]
    public static partial void ClientDropped(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 41005, Level = LogLevel.Warning, Message = "{Name}: serial write failed: {Reason}")]
    public static partial void SerialWriteFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 41006, Level = LogLevel.Warning, Message = "Unknown command '{Command}'; known: restart, stop, run, scan CODE, rfid EPC")]
    public static partial void UnknownCommand(ILogger logger, string command);

    [LoggerMessage(EventId = 42001, Level = LogLevel.Information, Message = "Truck {Truck}: {Phase} at {WeightKg} kg (gross {GrossKg} kg, tare {TareKg} kg)")]
    public static partial void TruckPhase(ILogger logger, int truck, TruckPhase phase, int weightKg, int grossKg, int tareKg);

    [LoggerMessage(EventId = 43001, Level = LogLevel.Information, Message = "PLC ({Program}) serving Modbus TCP on {Address}:{Port}")]
    public static partial void PlcListening(ILogger logger, string address, int port, string program);

    [LoggerMessage(EventId = 43002, Level = LogLevel.Warning, Message = "PLC restarted (restart {Count}): counters back to 0")]
    public static partial void PlcRestarted(ILogger logger, int count);

    [LoggerMessage(EventId = 43003, Level = LogLevel.Information, Message = "Bale {Bales} finished: {WeightKg} kg ({Rejects} rejects)")]
    public static partial void BaleFinished(ILogger logger, uint bales, float weightKg, ushort rejects);

    [LoggerMessage(EventId = 43004, Level = LogLevel.Information, Message = "Coil {Address} written: {Value}")]
    public static partial void CoilWritten(ILogger logger, ushort address, bool value);

    [LoggerMessage(EventId = 44001, Level = LogLevel.Information, Message = "{Name} read {Code}")]
    public static partial void CodeRead(ILogger logger, string name, string code);

    [LoggerMessage(EventId = 44002, Level = LogLevel.Information, Message = "{Name} read {Code} again (double read)")]
    public static partial void DoubleRead(ILogger logger, string name, string code);
}
