using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>Keeps every log line (message and exception text) of a test's services, to check that no secret is logged.</summary>
internal sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Lines.Enqueue(formatter(state, exception) + " " + exception);
    }
}
