using System.Data.Common;
using Leora.Jobs.PostgreSql;
using Leora.Jobs.Sqlite;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>One isolated queue for one test: a fresh SQLite file or a fresh PostgreSQL schema, migrated.</summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly Func<ValueTask> _cleanup;

    private Harness(ServiceProvider services, FakeTimeProvider? time, Func<ValueTask> cleanup, string provider, string connectionString, string? schema)
    {
        Services = services;
        Time = time;
        _cleanup = cleanup;
        Provider = provider;
        ConnectionString = connectionString;
        Schema = schema;
    }

    public string Provider { get; }
    /// <summary>The jobs database, for a child process to use.</summary>
    public string ConnectionString { get; }
    /// <summary>The PostgreSQL schema (null on SQLite).</summary>
    public string? Schema { get; }

    public ServiceProvider Services { get; }
    public FakeTimeProvider? Time { get; }
    public IJobClient Client => Services.GetRequiredService<IJobClient>();
    public IJobProcessor Processor => Services.GetRequiredService<IJobProcessor>();
    public IJobStore Store => Services.GetRequiredService<IJobStore>();
    public Recorder Recorder => Services.GetRequiredService<Recorder>();

    /// <summary>Opens a connection to the jobs database, for a caller's own transaction.</summary>
    public async Task<DbConnection> OpenConnectionAsync() => await Store.OpenConnectionAsync(CancellationToken.None);

    public static async Task<Harness> CreateAsync(string provider, bool fakeTime = false, Action<LeoraJobsBuilder>? configure = null,
        Action<JobsOptions>? options = null)
    {
        var time = fakeTime ? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        if (time is not null) services.AddSingleton<TimeProvider>(time);
        var builder = services.AddLeoraJobs(o =>
            {
                o.WorkerName = "test-worker";
                o.Backoff = attempt => TimeSpan.FromSeconds(10 * attempt);
                options?.Invoke(o);
            })
            .AddJob<EchoArgs, EchoHandler>()
            .AddJob<FailArgs, FailHandler>()
            .AddJob<BlockArgs, BlockHandler>()
            .AddJob<SlowArgs, SlowHandler>(o => o.Timeout = TimeSpan.FromMilliseconds(300))
            .AddJob<NoopArgs, NoopHandler>()
            .AddJob<StrictArgs, StrictHandler>();
        Func<ValueTask> cleanup;
        string connectionString;
        string? schemaName = null;
        switch (provider)
        {
            case "sqlite":
                var file = new TempSqlite();
                builder.UseSqlite(connectionString = file.ConnectionString);
                cleanup = () => { file.Dispose(); return ValueTask.CompletedTask; };
                break;
            case "postgresql":
                var schema = TestPostgres.NewSchemaName("lj");
                builder.UsePostgreSql(connectionString = TestPostgres.Require(), o => o.Schema = schema);
                schemaName = schema;
                cleanup = async () => await TestPostgres.DropSchemaAsync(schema);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider));
        }
        configure?.Invoke(builder);
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
        return new Harness(sp, time, cleanup, provider, connectionString, schemaName);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _cleanup();
    }
}
