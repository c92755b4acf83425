using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Edge.TestSupport;

/// <summary>An ILogger that keeps every entry, to prove that something was reported.</summary>
public class RecordingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
}

/// <summary>A <see cref="RecordingLogger"/> for code that asks for an <see cref="ILogger{TCategoryName}"/>.</summary>
/// <typeparam name="T">The category.</typeparam>
public sealed class RecordingLogger<T> : RecordingLogger, ILogger<T>;
