using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// A query value that does not bind is the caller's mistake: a 400 naming the parameter, and at most a Debug line without
/// a stack trace in the service's log (issue 11: it was logged at error level with the exception).
/// </summary>
public sealed class BadRequestLoggingTests
{
    [Theory]
    [InlineData("GET", "/api/jobs?limit=abc", "limit")]
    [InlineData("POST", "/api/jobs/process?maxJobs=abc", "maxJobs")]
    [InlineData("GET", "/api/jobs/process?limit=1.5", "limit")]
    public async Task A_value_that_does_not_bind_is_a_400_logged_at_debug_without_a_stack_trace(string method, string path, string parameter)
    {
        // Debug is switched on for the API's category only, so that the line this test expects is written at all.
        await using var service = await LeoraService.StartAsync("sqlite", ["--Logging:LogLevel:Leora.Jobs.AspNetCore=Debug"]);
        var logs = new CapturingLoggerProvider();
        service.App.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);

        using var client = service.WithKey();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var problem = await (await client.SendAsync(request)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(parameter, problem.Str("detail"), StringComparison.Ordinal);
        // In the API's words: the parameter and the value, not the .NET type it binds to (Nullable<int>).
        Assert.Contains("must be a whole number", problem.Str("detail"), StringComparison.Ordinal);
        Assert.DoesNotContain("<", problem.Str("detail"), StringComparison.Ordinal);

        // What the request wrote (the service's background loops are not under test here).
        var entries = logs.Entries.Where(e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || e.Category.StartsWith("Leora.Jobs.AspNetCore", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(entries, e => e.Level > LogLevel.Information);
        Assert.DoesNotContain(entries, e => e.Exception is not null);
        var line = Assert.Single(entries, e => e.EventId == LeoraJobsEventId.ApiBadRequest);
        Assert.Equal(LogLevel.Debug, line.Level);
        Assert.Contains(parameter, line.Message, StringComparison.Ordinal);
    }

    private sealed record Entry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

    /// <summary>Keeps every entry the service's loggers write (after the filter rules), for assertions.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new Entry(category, logLevel, eventId.Id, formatter(state, exception), exception));
        }
    }
}
