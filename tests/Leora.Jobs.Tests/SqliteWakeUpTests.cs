using Leora.Jobs.Sqlite;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Tests;

/// <summary>
/// Wake-up across processes on SQLite: a worker whose poll interval is ten minutes must still start a job enqueued by
/// another service provider on the same file (its own connections, its own in-process signal) at once, because the
/// worker watches the database's <c>-wal</c> file and every commit writes to it.
/// </summary>
public sealed class SqliteWakeUpTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempSqlite _db = new();
    private ServiceProvider _worker = null!;
    private ServiceProvider _producer = null!;

    public async Task InitializeAsync()
    {
        _worker = Build(worker: true);
        _producer = Build(worker: false);
        await _worker.GetRequiredService<Storage.IJobStore>().MigrateAsync(CancellationToken.None);
        foreach (var hosted in _worker.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        Assert.True(_worker.GetServices<IHostedService>().OfType<SqliteJobWatcher>().Single().Watching);
        Assert.False(_producer.GetServices<IHostedService>().OfType<SqliteJobWatcher>().Single().Watching);
    }

    private ServiceProvider Build(bool worker)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<Recorder>();
        var builder = services.AddLeoraJobs(o => { o.MigrateOnStart = false; o.WorkerName = worker ? "watcher" : "producer"; })
            .AddJob<EchoArgs, EchoHandler>()
            .AddJob<NoopArgs, NoopHandler>()
            .UseSqlite(_db.ConnectionString);
        // Ten minutes between polls: only a wake-up can start a job within the test's wait.
        if (worker) builder.AddWorker(o => { o.Concurrency = 2; o.PollInterval = TimeSpan.FromMinutes(10); });
        return services.BuildServiceProvider();
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
        for (var i = 0; i < 3; i++)
        {
            var next = await Producer.EnqueueAsync(new EchoArgs("next " + i));
            await CompletedAsync(next.Id, $"single enqueue {i} to wake the idle worker");
        }
        var bulk = await Producer.EnqueueManyAsync(Enumerable.Range(0, 20).Select(i => new NoopArgs(i)));
        foreach (var r in bulk) await CompletedAsync(r.Id, "a bulk enqueue to wake the idle worker");
    }

    public async Task DisposeAsync()
    {
        foreach (var hosted in _worker.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
        await _worker.DisposeAsync();
        await _producer.DisposeAsync();
        _db.Dispose();
    }
}
