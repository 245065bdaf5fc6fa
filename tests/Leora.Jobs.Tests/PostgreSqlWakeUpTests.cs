using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Leora.Jobs.Tests;

/// <summary>
/// Wake-up across processes on PostgreSQL: a worker whose poll interval is ten minutes must still start a job enqueued
/// by another service provider (its own pool, its own in-process signal) at once, because the enqueuing store sends
/// <c>pg_notify</c> after its commit and the worker's listener hears it.
/// </summary>
public sealed class PostgreSqlWakeUpTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly string _schema = TestPostgres.NewSchemaName("wake");
    private readonly string _application = "leora-wake-" + Guid.NewGuid().ToString("N")[..8];
    private ServiceProvider _worker = null!;
    private ServiceProvider _producer = null!;

    public async Task InitializeAsync()
    {
        var pg = TestPostgres.Require();
        _worker = Build(new NpgsqlConnectionStringBuilder(pg) { ApplicationName = _application }.ConnectionString, worker: true);
        _producer = Build(pg, worker: false);
        await _worker.GetRequiredService<Storage.IJobStore>().MigrateAsync(CancellationToken.None);
        foreach (var hosted in _worker.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        // The listener's connection has run LISTEN: from here on no notification can be missed.
        await Eventually.WaitAsync(async () => await ListeningAsync(pg), Wait, "the worker's listener to LISTEN");
    }

    private ServiceProvider Build(string connectionString, bool worker)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        var builder = services.AddLeoraJobs(o => { o.MigrateOnStart = false; o.WorkerName = worker ? "listener" : "producer"; })
            .AddJob<EchoArgs, EchoHandler>()
            .AddJob<NoopArgs, NoopHandler>()
            .AddJob<FailArgs, FailHandler>()
            .UsePostgreSql(connectionString, o => o.Schema = _schema);
        // Ten minutes between polls: only a wake-up can start a job within the test's wait.
        if (worker) builder.AddWorker(o => { o.Concurrency = 2; o.PollInterval = TimeSpan.FromMinutes(10); });
        return services.BuildServiceProvider();
    }

    private async Task<bool> ListeningAsync(string pg)
    {
        await using var ds = NpgsqlDataSource.Create(pg);
        await using var cmd = ds.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @app AND query = 'LISTEN leora_jobs' AND state = 'idle'");
        cmd.Parameters.AddWithValue("app", _application);
        return (long)(await cmd.ExecuteScalarAsync())! > 0;
    }

    private IJobClient Producer => _producer.GetRequiredService<IJobClient>();

    private async Task CompletedAsync(long id, string what) =>
        await Eventually.WaitAsync(async () => (await Producer.GetAsync(id))!.Status == JobStatus.Completed, Wait, what);

    [Fact]
    public async Task An_enqueue_in_another_process_wakes_an_idle_worker_at_once()
    {
        // The first job may be found by the worker's first claim; after it the worker is idle until woken.
        var first = await Producer.EnqueueAsync(new EchoArgs("first"));
        await CompletedAsync(first.Id, "the first job");
        var second = await Producer.EnqueueAsync(new EchoArgs("second"));
        await CompletedAsync(second.Id, "a single enqueue to wake the idle worker");
        var bulk = await Producer.EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new NoopArgs(i)));
        foreach (var r in bulk) await CompletedAsync(r.Id, "a bulk enqueue to wake the idle worker");
        // A failed job retried by hand is due again: that wakes the worker too.
        var failing = await Producer.EnqueueAsync(new FailArgs(1, Permanent: true));
        await Eventually.WaitAsync(async () => (await Producer.GetAsync(failing.Id))!.Status == JobStatus.Failed, Wait, "the failing job to fail");
        Assert.Equal(JobActionResult.Done, await Producer.RetryAsync(failing.Id));
        await CompletedAsync(failing.Id, "a manual retry to wake the idle worker");
        Assert.Equal(2, (await Producer.GetAsync(failing.Id))!.Attempts);
    }

    [Fact]
    public async Task A_transactional_enqueue_wakes_workers_at_its_commit_and_a_rollback_leaves_nothing()
    {
        var warm = await Producer.EnqueueAsync(new EchoArgs("warm"));
        await CompletedAsync(warm.Id, "the first job");

        await using (var c = await Producer.OpenConnectionAsync())
        await using (var tx = await c.BeginTransactionAsync())
        {
            var rolledBack = await Producer.EnqueueAsync(new EchoArgs("rolled back"), tx);
            await tx.RollbackAsync();
            Assert.Null(await Producer.GetAsync(rolledBack.Id));
        }

        long committed;
        await using (var c = await Producer.OpenConnectionAsync())
        await using (var tx = await c.BeginTransactionAsync())
        {
            committed = (await Producer.EnqueueAsync(new EchoArgs("committed"), tx)).Id;
            await tx.CommitAsync();
        }
        await CompletedAsync(committed, "the committed job to wake the idle worker");
        Assert.Equal(2, (await Producer.CountByStatusAsync())[JobStatus.Completed]);
    }

    public async Task DisposeAsync()
    {
        foreach (var hosted in _worker.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
        await _worker.DisposeAsync();
        await _producer.DisposeAsync();
        await TestPostgres.DropSchemaAsync(_schema);
    }
}
