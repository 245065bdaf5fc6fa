using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// What a pooler in front of PostgreSQL takes away, and how the store finds out (docs/operations.md, connection
/// poolers), through build.sh's real PgBouncers: prepared statements behind a transaction pooler are refused at start
/// with the setting to add; LISTEN behind one is found deaf and workers poll, or a direct listen connection string keeps
/// the wake-up; through a session pooler everything, LISTEN included, works unchanged.
/// </summary>
public sealed partial class PoolerTests
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

    [Fact]
    public async Task Behind_a_transaction_pooler_whose_server_connections_hold_another_clients_prepared_statements_the_service_still_refuses_naming_the_setting()
    {
        // Another Npgsql client prepared its first automatic statement on the pool's one server connection; the service's
        // migration, left to run first, would name its own the same and fail with PostgreSQL's 42P05.
        await using var db = await DedicatedDatabase.CreateAsync();
        await db.PrepareOnThePooledServerAsync("_auto0");
        var logs = new LogSink();
        using var host = Build(db.Pooled(raw: true), "jobs", logs, worker: true);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("Max Auto Prepare=0", error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Id == LeoraJobsEventId.PostgreSqlTransactionPoolerRefused);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_migration_run_by_itself_behind_such_a_pooler_fails_naming_the_setting()
    {
        // `leora-jobs migrate` runs the migration without the hosted pooler check.
        await using var db = await DedicatedDatabase.CreateAsync();
        await db.PrepareOnThePooledServerAsync("_auto0");
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = db.Pooled(raw: true), Schema = "jobs" }, TimeProvider.System);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.MigrateAsync(CancellationToken.None));
        Assert.Contains("42P05", error.Message, StringComparison.Ordinal);
        Assert.Contains("Max Auto Prepare=0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_transaction_pooler_the_listener_never_subscribes_a_pooled_server_connection_to_the_wake_up_channel()
    {
        await using var db = await DedicatedDatabase.CreateAsync();
        // The statements traced through the pooler into the test's own database: this test's alone.
        var statements = new ConcurrentQueue<string>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (!activity.TagObjects.Any(t => t.Value as string == db.Name)) return;
                if (activity.TagObjects.FirstOrDefault(t => t.Key is "db.query.text" or "db.statement").Value is string text) statements.Enqueue(text);
            },
        };
        ActivitySource.AddActivityListener(tracing);
        var logs = new LogSink();
        using var host = Build(db.Pooled(raw: false), "jobs", logs, worker: true, pollInterval: TimeSpan.FromMilliseconds(500));
        await host.StartAsync();
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(logs.Has(LeoraJobsEventId.PostgreSqlListenDeaf)), Wait, "the deaf LISTEN to be reported");
            // It listened to its probe's channel only: a LISTEN left on a pooled server connection, which the pooler
            // hands to other clients, hears nothing more. Had it listened to the wake-up channel, that server connection
            // would receive every enqueue's notification for as long as the pooler keeps it.
            Assert.Contains(statements, s => s.StartsWith($"LISTEN \"{PostgreSqlJobListener.ProbeChannelPrefix}", StringComparison.Ordinal));
            Assert.DoesNotContain(statements, s => WakeUpListen().IsMatch(s));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [GeneratedRegex(@"(^|;)\s*LISTEN\s+""?leora_jobs""?\s*(;|$)")]
    private static partial Regex WakeUpListen();

    /// <summary>
    /// A database of the test's own on the test server, reached through the transaction pooler: PgBouncer keeps a pool
    /// per database, so its server connections serve this test's clients only.
    /// </summary>
    private sealed class DedicatedDatabase : IAsyncDisposable
    {
        private DedicatedDatabase(string name) => Name = name;

        public string Name { get; }

        public static async Task<DedicatedDatabase> CreateAsync()
        {
            var db = new DedicatedDatabase("leora_" + TestPostgres.NewSchemaName("pool"));
            await TestPostgres.ExecuteAsync($"CREATE DATABASE {db.Name}");
            return db;
        }

        /// <summary>Through the transaction pooler; <paramref name="raw"/>: without the documented Max Auto Prepare=0.</summary>
        public string Pooled(bool raw) =>
            new NpgsqlConnectionStringBuilder(raw ? TestPgBouncer.Raw(TestPgBouncer.Transaction) : TestPgBouncer.Require(TestPgBouncer.Transaction)) { Database = Name }.ConnectionString;

        /// <summary>Leaves a prepared statement named <paramref name="name"/> on the pool's server connection, as another client would.</summary>
        public Task PrepareOnThePooledServerAsync(string name) => TestPostgres.ExecuteAsync($"PREPARE {name} AS SELECT 1", Pooled(raw: false) + ";Pooling=false");

        public async ValueTask DisposeAsync() => await TestPostgres.ExecuteAsync($"DROP DATABASE {Name} WITH (FORCE)");
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
