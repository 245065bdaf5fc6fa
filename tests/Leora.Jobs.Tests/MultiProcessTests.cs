using System.Globalization;
using System.Text.Json;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.Tests;

public sealed record MpNoopArgs(int N) : IJobArgs
{
    public static string Kind => "mp_noop";
}

public sealed record MpHangArgs(string Note) : IJobArgs
{
    public static string Kind => "mp_hang";
}

/// <summary>In the rescuing worker, the job that hung elsewhere simply completes.</summary>
public sealed class CompletingHangHandler(Recorder recorder) : IJobHandler<MpHangArgs>
{
    public Task HandleAsync(JobContext<MpHangArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, MpHangArgs.Kind, job.Attempt));
        return Task.CompletedTask;
    }
}

public sealed class CountingNoopHandler(Recorder recorder) : IJobHandler<MpNoopArgs>
{
    public Task HandleAsync(JobContext<MpNoopArgs> job, CancellationToken cancellationToken)
    {
        recorder.Runs.Enqueue((job.Id, MpNoopArgs.Kind, job.Attempt));
        return Task.CompletedTask;
    }
}

/// <summary>Several workers, in one process and in separate OS processes, on one database; and a worker killed with SIGKILL.</summary>
public abstract class MultiProcessTests
{
    protected const int JobCount = 10_000;
    protected static readonly TimeSpan Long = TimeSpan.FromMinutes(4);

    protected abstract string Provider { get; }

    [Fact]
    public async Task Two_workers_in_one_process_drain_ten_thousand_jobs_each_exactly_once()
    {
        await using var a = await Harness.CreateAsync(Provider, configure: b => b.AddJob<MpNoopArgs, CountingNoopHandler>()
            .AddWorker(o => { o.Concurrency = 4; o.PollInterval = TimeSpan.FromMilliseconds(100); }));
        // A second, independent service provider over the same database: two queues' worth of machinery in one process.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Recorder>();
        var builder = services.AddLeoraJobs(o => o.WorkerName = "second")
            .AddJob<MpNoopArgs, CountingNoopHandler>()
            .AddWorker(o => { o.Concurrency = 4; o.PollInterval = TimeSpan.FromMilliseconds(100); });
        if (Provider == "sqlite") builder.UseSqlite(a.ConnectionString);
        else builder.UsePostgreSql(a.ConnectionString, o => o.Schema = a.Schema!);
        await using var second = services.BuildServiceProvider();

        var w1 = a.Services.GetRequiredService<JobWorker>();
        var w2 = second.GetRequiredService<JobWorker>();
        await w1.StartAsync(CancellationToken.None);
        await w2.StartAsync(CancellationToken.None);
        // Enqueued once both workers are registered (running): a backlog written before the second started could all
        // go to the first on a busy machine.
        await Eventually.WaitAsync(() => a.Store.NodeListAsync(CancellationToken.None), l => l.Count == 2, Long, "both workers to register");
        await a.Client.EnqueueManyAsync(Enumerable.Range(0, JobCount).Select(i => new MpNoopArgs(i)));
        await Eventually.WaitAsync(async () => (await a.Client.CountByStatusAsync())[JobStatus.Completed] == JobCount, Long, "all jobs completed");
        await w1.StopAsync(CancellationToken.None);
        await w2.StopAsync(CancellationToken.None);

        var runs = a.Recorder.Runs.Concat(second.GetRequiredService<Recorder>().Runs).ToList();
        Assert.Equal(JobCount, runs.Count);
        Assert.Equal(JobCount, runs.Select(r => r.Id).Distinct().Count());
        Assert.True(a.Recorder.Runs.Count > 0 && second.GetRequiredService<Recorder>().Runs.Count > 0, "both workers took jobs");
        await AssertAllCompletedOnceAsync(a);
    }

    protected static async Task AssertAllCompletedOnceAsync(Harness h)
    {
        var counts = await h.Client.CountByStatusAsync();
        Assert.Equal(JobCount, counts[JobStatus.Completed]);
        Assert.Equal(JobCount, counts.Values.Sum());
        // Every job's one attempt: none was claimed twice.
        string? cursor = null;
        do
        {
            var page = await h.Client.ListAsync(new JobQuery { Limit = 1000, Cursor = cursor });
            Assert.All(page.Items, j => Assert.Equal(1, j.Attempts));
            cursor = page.NextCursor;
        } while (cursor is not null);
    }

    [Fact]
    public async Task A_worker_killed_mid_job_leaves_a_job_that_another_worker_rescues_and_the_dead_workers_writes_are_rejected()
    {
        await using var h = await Harness.CreateAsync(Provider, configure: b => b.AddJob<MpHangArgs, CompletingHangHandler>());
        var job = await h.Client.EnqueueAsync(new MpHangArgs("card.jpg"));
        Guid deadToken;
        await using (var child = ChildWorker.Start(h, "hang", "--lease-ms", "1500"))
        {
            var line = await child.WaitForLineAsync("started ", TimeSpan.FromSeconds(60));
            Assert.Equal($"started {job.Id}", line);
            var row = (await h.Store.JobGetAsync(job.Id, CancellationToken.None))!;
            Assert.Equal(JobStatus.Processing, row.Status);
            deadToken = row.LockToken!.Value;
            await child.KillAsync();
        }

        // Nothing is rescued while the lease lasts; once it expires, the next processor call rescues and runs it.
        var report = await Eventually.WaitAsync(() => h.Processor.ProcessOneAsync(), r => r is not null, TimeSpan.FromSeconds(30), "the rescued job to run");
        Assert.Equal(job.Id, report!.Id);
        Assert.Equal(JobOutcome.Completed, report.Outcome);

        Assert.False(await h.Store.JobCompleteAsync(new JobCompleteParams(job.Id, deadToken, "{\"late\":1}"), CancellationToken.None));
        Assert.False(await h.Store.JobFailAsync(new JobFailParams(job.Id, deadToken, "{}", TimeSpan.Zero), CancellationToken.None));
        Assert.False(await h.Store.JobReleaseAsync(job.Id, deadToken, CancellationToken.None));
        Assert.Equal(JobHeartbeatResult.Lost, await h.Store.JobHeartbeatAsync(job.Id, deadToken, TimeSpan.FromMinutes(1), CancellationToken.None));

        var info = (await h.Client.GetAsync(job.Id))!;
        Assert.Equal(JobStatus.Completed, info.Status);
        Assert.Equal(2, info.Attempts);
        var error = Assert.Single(info.Errors);
        Assert.Equal("LeaseExpired", error.Type);
        Assert.StartsWith("test-worker-", error.Worker);
        Assert.Equal(JsonValueKind.Null, info.Result?.ValueKind ?? JsonValueKind.Null);
        Assert.Single(h.Recorder.Runs);
    }
}

/// <summary>
/// Three worker processes sharing one backlog, each job run once. Direct to SQLite and PostgreSQL, the same property (and
/// more: 100,000 jobs, a worker killed with SIGKILL mid-run, the survivors' runs held to exactly once) is
/// <c>WorkflowScaleTests</c>'s, so this runs only through the poolers, whose connection handling it checks.
/// </summary>
public abstract class PooledMultiProcessTests : MultiProcessTests
{
    [Fact]
    public async Task Three_worker_processes_drain_ten_thousand_jobs_each_exactly_once()
    {
        await using var h = await Harness.CreateAsync(Provider, configure: b => b.AddJob<MpNoopArgs, CountingNoopHandler>());
        var dir = Directory.CreateTempSubdirectory("leora-mp-");
        try
        {
            var children = Enumerable.Range(0, 3)
                .Select(i => ChildWorker.Start(h, "drain", "--log", Path.Combine(dir.FullName, $"w{i}.log"), "--concurrency", "4",
                    "--expect", JobCount.ToString(CultureInfo.InvariantCulture)))
                .ToList();
            try
            {
                // Enqueued once every process polls: a backlog written before them would go to whichever started first
                // (on a busy machine, all of it), and the test could not show that processes share the work.
                foreach (var child in children) await child.WaitForLineAsync("ready", Long);
                await h.Client.EnqueueManyAsync(Enumerable.Range(0, JobCount).Select(i => new MpNoopArgs(i)));
                foreach (var child in children) Assert.Equal(0, await child.WaitForExitAsync(Long));
            }
            finally
            {
                foreach (var child in children) await child.DisposeAsync();
            }

            var perProcess = children.Select((_, i) => File.ReadAllLines(Path.Combine(dir.FullName, $"w{i}.log")).Select(long.Parse).ToList()).ToList();
            var all = perProcess.SelectMany(x => x).ToList();
            Assert.Equal(JobCount, all.Count);
            Assert.Equal(JobCount, all.Distinct().Count());
            Assert.True(perProcess.Count(p => p.Count > 0) >= 2, "the work was shared between processes");
            await AssertAllCompletedOnceAsync(h);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}

public sealed class SqliteMultiProcessTests : MultiProcessTests
{
    protected override string Provider => "sqlite";
}

public sealed class PostgreSqlMultiProcessTests : MultiProcessTests
{
    protected override string Provider => "postgresql";
}

/// <summary>The multi-process tests on PostgreSQL through PgBouncer in transaction pooling (docs/operations.md's settings).</summary>
public sealed class PgBouncerTransactionMultiProcessTests : PooledMultiProcessTests
{
    protected override string Provider => TestPgBouncer.Transaction;
}

/// <summary>The multi-process tests on PostgreSQL through PgBouncer in session pooling.</summary>
public sealed class PgBouncerSessionMultiProcessTests : PooledMultiProcessTests
{
    protected override string Provider => TestPgBouncer.Session;
}
