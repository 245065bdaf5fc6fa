using System.Collections.Concurrent;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests;

/// <summary>
/// What a pooler in front of PostgreSQL takes away, and how the store finds out (docs/operations.md, connection
/// poolers), through build.sh's real PgBouncers: prepared statements behind a transaction pooler are refused at start
/// with the setting to add; LISTEN behind one is found deaf and workers poll, or a direct listen connection string keeps
/// the wake-up; through a session pooler everything, LISTEN included, works unchanged.
/// </summary>
public sealed class PoolerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_service_behind_a_transaction_pooler_that_prepares_statements_refuses_to_start_naming_the_setting()
    {
        await using var db = TestDatabase.Create("postgresql", "pool");
        var logs = new LogSink();
        using var host = Build(TestPgBouncer.Raw(TestPgBouncer.Transaction), db.Schema!, logs, worker: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("transaction-mode pooler", error.Message, StringComparison.Ordinal);
        Assert.Contains("Max Auto Prepare=0", error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Id == LeoraJobsEventId.PostgreSqlTransactionPoolerRefused && e.Level == LogLevel.Critical);
        await host.StopAsync();
    }

    [Fact]
    public async Task The_same_connection_string_through_a_session_pooler_starts_and_listens()
    {
        const string mode = TestPgBouncer.Session;
        await using var db = TestDatabase.Create("postgresql", "pool");
        var logs = new LogSink();
        using var host = Build(TestPgBouncer.Raw(mode), db.Schema!, logs, worker: true);
        await host.StartAsync();
        try
        {
            // It listens (its probe came back) and works.
            await Eventually.WaitAsync(() => Task.FromResult(logs.Has(LeoraJobsEventId.PostgreSqlListening)), Wait, "the listener to listen");
            var job = await host.Services.GetRequiredService<IJobClient>().EnqueueAsync(new EchoArgs("session"));
            await CompletedAsync(host, job.Id);
            Assert.DoesNotContain(logs.Entries, e => e.Id == LeoraJobsEventId.PostgreSqlListenDeaf);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Behind_a_transaction_pooler_LISTEN_is_found_deaf_with_a_warning_and_workers_poll()
    {
        await using var db = TestDatabase.Create("postgresql", "pool");
        var logs = new LogSink();
        using var host = Build(TestPgBouncer.Require(TestPgBouncer.Transaction), db.Schema!, logs, worker: true,
            pollInterval: TimeSpan.FromMilliseconds(500));
        await host.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(logs.Has(LeoraJobsEventId.PostgreSqlListenDeaf)), Wait, "the deaf LISTEN to be reported");
            var warning = logs.Entries.Single(e => e.Id == LeoraJobsEventId.PostgreSqlListenDeaf);
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Contains("transaction-mode pooler", warning.Message, StringComparison.Ordinal);
            Assert.Contains("Jobs:PostgreSql:ListenConnectionString", warning.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(logs.Entries, e => e.Id == LeoraJobsEventId.PostgreSqlListening);
            // Jobs still run: found by polling.
            var job = await host.Services.GetRequiredService<IJobClient>().EnqueueAsync(new EchoArgs("polled"));
            await CompletedAsync(host, job.Id);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Behind_a_transaction_pooler_a_direct_listen_connection_string_wakes_an_idle_worker_at_once()
    {
        await using var db = TestDatabase.Create("postgresql", "pool");
        var logs = new LogSink();
        // Ten minutes between polls: only a wake-up starts a job within the test's wait.
        using var host = Build(TestPgBouncer.Require(TestPgBouncer.Transaction), db.Schema!, logs, worker: true,
            pollInterval: TimeSpan.FromMinutes(10), listen: TestPostgres.Require());
        await host.StartAsync();
        using var producer = Build(TestPgBouncer.Require(TestPgBouncer.Transaction), db.Schema!, new LogSink(), worker: false);
        await producer.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(logs.Has(LeoraJobsEventId.PostgreSqlListening)), Wait, "the listener to listen");
            var client = producer.Services.GetRequiredService<IJobClient>();
            // The first job may be found by the worker's first claim; after it the worker is idle until woken.
            await CompletedAsync(producer, (await client.EnqueueAsync(new EchoArgs("first"))).Id);
            await CompletedAsync(producer, (await client.EnqueueAsync(new EchoArgs("woken"))).Id);
            Assert.DoesNotContain(logs.Entries, e => e.Id == LeoraJobsEventId.PostgreSqlListenDeaf);
        }
        finally
        {
            await producer.StopAsync();
            await host.StopAsync();
        }
    }

    private static IHost Build(string connectionString, string schema, LogSink logs, bool worker, TimeSpan? pollInterval = null, string? listen = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Information).AddProvider(logs);
        builder.Services.AddSingleton<Recorder>();
        var jobs = builder.Services.AddLeoraJobs(o => o.WorkerName = worker ? "pooled-worker" : "pooled-producer")
            .AddJob<EchoArgs, EchoHandler>()
            .UsePostgreSql(connectionString, o =>
            {
                o.Schema = schema;
                o.ListenConnectionString = listen;
                o.ListenProbeTimeout = TimeSpan.FromSeconds(5);
            });
        if (worker) jobs.AddWorker(o => o.PollInterval = pollInterval ?? TimeSpan.FromSeconds(1));
        return builder.Build();
    }

    private static async Task CompletedAsync(IHost host, long id) =>
        await Eventually.WaitAsync(async () => (await host.Services.GetRequiredService<IJobClient>().GetAsync(id))!.Status == JobStatus.Completed,
            Wait, $"job {id} to complete");

    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<(int Id, LogLevel Level, string Message)> Entries { get; } = new();

        public bool Has(int id) => Entries.Any(e => e.Id == id);

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(LogSink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
