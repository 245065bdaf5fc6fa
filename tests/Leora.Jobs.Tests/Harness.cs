using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Leora.Jobs.Tests;

/// <summary>
/// One isolated queue for one test of this project: the suite's job types over a fresh, migrated
/// <see cref="TestDatabase"/> (a SQLite file or a PostgreSQL schema, from the shared test support).
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private Harness(ServiceProvider services, FakeTimeProvider? time, TestDatabase database)
    {
        Services = services;
        Time = time;
        _database = database;
    }

    public string Provider => _database.Provider;
    /// <summary>The jobs database, for a child process to use.</summary>
    public string ConnectionString => _database.ConnectionString;
    /// <summary>The PostgreSQL schema (null on SQLite).</summary>
    public string? Schema => _database.Schema;

    public ServiceProvider Services { get; }
    public FakeTimeProvider? Time { get; }
    public IJobClient Client => Services.GetRequiredService<IJobClient>();
    public IJobProcessor Processor => Services.GetRequiredService<IJobProcessor>();
    public IJobStore Store => Services.GetRequiredService<IJobStore>();
    public Recorder Recorder => Services.GetRequiredService<Recorder>();

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
            .AddJob<StrictArgs, StrictHandler>()
            .AddJob<UnstorableOutputArgs, UnstorableOutputHandler>();
        var database = TestDatabase.Create(provider, "lj");
        // A fake clock drives the PostgreSQL store's statements too only because the harness opts in (the store uses the
        // database's clock whatever the TimeProvider).
        database.Use(builder, timeProviderClock: time is not null);
        configure?.Invoke(builder);
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await sp.GetRequiredService<IJobStore>().MigrateAsync(CancellationToken.None);
        return new Harness(sp, time, database);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await _database.DisposeAsync();
    }
}
