using Microsoft.Extensions.Logging;

namespace Edge.Gpio;

/// <summary>Every log line of Edge.Gpio. Event ids 13000–13099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 13000, Level = LogLevel.Information, Message = "GPIO chip {Requested} opened: {Name} [{Label}], {Lines} lines")]
    internal static partial void ChipOpened(ILogger logger, string requested, string name, string label, int lines);

    [LoggerMessage(EventId = 13001, Level = LogLevel.Information, Message = "GPIO chip {Chip} line {Offset} requested (edge {Edge}, consumer {Consumer})")]
    internal static partial void LineRequested(ILogger logger, string chip, int offset, GpioEdge edge, string consumer);

    [LoggerMessage(EventId = 13002, Level = LogLevel.Error, Message = "GPIO chip {Chip} line {Offset} failed; its event stream has ended")]
    internal static partial void LineFailed(ILogger logger, Exception exception, string chip, int offset);

    [LoggerMessage(EventId = 13003, Level = LogLevel.Warning, Message = "GPIO chip {Chip} line {Offset}: the event queue is full, events are being dropped (the reader is too slow)")]
    internal static partial void EventsDropped(ILogger logger, string chip, int offset);
}
