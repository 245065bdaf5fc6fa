using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.Bench;

/// <summary>One store under test: how to register it, reset it, and seed rows with SQL for the growth scenario.</summary>
internal sealed class Target
{
    private Target(string store, string connection, string? schema)
    {
        Store = store;
        Connection = connection;
        Schema = schema;
    }

    public string Store { get; }
    public string Connection { get; }
    public string? Schema { get; }

    /// <summary>
    /// Diagnostic (<c>--sqlite-without-timeline</c>): after migrating, drop migration 10's triggers that write the
    /// timeline and the history, to measure what they cost the drain. A database left this way records neither.
    /// </summary>
    public bool WithoutTimelineTriggers { get; init; }

    public static Target PostgreSql(string connection, string schema) => new("postgresql", connection, schema);

    public static Target Sqlite(string file, bool withoutTimelineTriggers = false) =>
        new("sqlite", $"Data Source={file}", null) { WithoutTimelineTriggers = withoutTimelineTriggers };

    /// <summary>The arguments that make a child worker process use this target.</summary>
    public string[] ChildArgs() => Store == "postgresql" ? ["--store", Store, "--conn", Connection, "--schema", Schema!] : ["--store", Store, "--conn", Connection];

    public static Target FromArgs(Args a) => a.Get("store") == "postgresql"
        ? PostgreSql(a.Get("conn")!, a.Get("schema") ?? "bench")
        : new Target("sqlite", a.Get("conn")!, null);

    public ServiceProvider Build(Probe probe, Action<JobWorkerOptions>? worker, Action<JobsOptions>? jobs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Environment.GetEnvironmentVariable("LEORA_BENCH_LOG") == "info" ? LogLevel.Information : LogLevel.Warning));
        services.AddSingleton(probe);
        var builder = services.AddLeoraJobs(o => { o.MigrateOnStart = false; jobs?.Invoke(o); })
            .AddJob<NoopArgs, NoopHandler>(o => o.MaxAttempts = 3)
            .AddJob<LimitedNoopArgs, LimitedNoopHandler>()
            .AddJob<SlowLimitedArgs, SlowLimitedHandler>();
        if (Store == "postgresql") builder.UsePostgreSql(Connection, o => o.Schema = Schema!);
        else builder.UseSqlite(Connection);
        if (worker is not null) builder.AddWorker(worker);
        return services.BuildServiceProvider();
    }

    /// <summary>Drops and recreates the jobs tables.</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        if (Store == "postgresql")
        {
            await using var ds = NpgsqlDataSource.Create(Connection);
            await using var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
            await cmd.ExecuteNonQueryAsync(ct);
        }
        else
        {
            SqliteConnection.ClearAllPools();
            var file = new SqliteConnectionStringBuilder(Connection).DataSource;
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
        await using var sp = Build(new Probe(), null);
        await sp.GetRequiredService<Storage.IJobStore>().MigrateAsync(ct);
        if (WithoutTimelineTriggers && Store == "sqlite")
        {
            await using var c = new SqliteConnection(Connection);
            await c.OpenAsync(ct);
            await using var drop = c.CreateCommand();
            drop.CommandText = "DROP TRIGGER leora_jobs_event; DROP TRIGGER leora_jobs_cancel_event; DROP TRIGGER leora_jobs_history;";
            await drop.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Inserts <paramref name="finished"/> completed rows with one SQL statement (the growth scenario's history).</summary>
    public async Task SeedFinishedAsync(int finished, CancellationToken ct)
    {
        if (Store == "postgresql")
        {
            await using var ds = NpgsqlDataSource.Create(Connection);
            await using var cmd = ds.CreateCommand($$"""
                INSERT INTO "{{Schema}}".jobs (kind, queue, status, payload, attempts, max_attempts, created_at, run_at, started_at, completed_at, progress)
                SELECT 'bench_noop', 'default', 'completed', '{"enqueuedAtUs":0}', 1, 3, now() - interval '1 hour', now() - interval '1 hour',
                       now() - interval '1 hour', now() - interval '1 hour' + g * interval '1 microsecond', 100
                FROM generate_series(1, {{finished}}) g;
                ANALYZE "{{Schema}}".jobs;
                """);
            cmd.CommandTimeout = 600;
            await cmd.ExecuteNonQueryAsync(ct);
        }
        else
        {
            await using var c = new SqliteConnection(Connection);
            await c.OpenAsync(ct);
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $$"""
                PRAGMA synchronous = NORMAL;
                WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {{finished}})
                INSERT INTO leora_jobs (kind, queue, status, payload, attempts, max_attempts, created_at, run_at, started_at, completed_at, progress)
                SELECT 'bench_noop', 'default', 'completed', '{"enqueuedAtUs":0}', 1, 3, 1000, 1000, 1000, 1000 + n, 100 FROM g;
                ANALYZE;
                """;
            cmd.CommandTimeout = 600;
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}
