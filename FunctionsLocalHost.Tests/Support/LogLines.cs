using System.Collections.Concurrent;

using Microsoft.Extensions.Logging;

namespace FunctionsLocalHost.Tests.Support;

/// <summary>One line the host logged (its own or the worker's, relayed from <c>RpcLog</c>).</summary>
public sealed record LogLine(DateTimeOffset At, string Category, LogLevel Level, string Message, Exception? Exception)
{
    public override string ToString() => $"{At:HH:mm:ss.fff} {Level} {Category}: {Message}";
}

/// <summary>An in-memory logger provider for <see cref="LocalHostOptions.Logging"/>: the tests read the host's log from it.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> All => [.. _lines];

    public IReadOnlyList<LogLine> Containing(string text) => All.Where(l => l.Message.Contains(text, StringComparison.Ordinal)).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    public override string ToString() => string.Join(Environment.NewLine, All);

    private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, category, logLevel, formatter(state, exception), exception));
    }
}
