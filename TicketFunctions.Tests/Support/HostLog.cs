using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Tests.Support;

/// <summary>The local host's log lines (the host's own and the worker's), kept in memory for tests to read.</summary>
public sealed class HostLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(HostLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
            }
        }
    }
}
