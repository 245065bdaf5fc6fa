using Leora.Jobs.Maintenance;
using Leora.Jobs.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Leora.Jobs.Tests;

/// <summary>Rate and concurrency limits (issue 12), enforced by the claim itself: docs/limits.md.</summary>
public abstract partial class ConformanceTests
{
    private static JobClaimParams Claim(int limit, string worker = "w", TimeSpan? lease = null) =>
        new(null, limit, lease ?? TimeSpan.FromMinutes(5), worker);

    private static Task SetLimitsAsync(Harness h, params JobLimit[] limits) => h.Store.LimitSetAsync(limits, "test-node", CancellationToken.None);

    private static JobLimit TypeLimit(string type, int? concurrency = null, int? rate = null, TimeSpan? period = null, int? keyConcurrency = null) =>
        new() { Scope = JobLimitScope.Type, Name = type, Concurrency = concurrency, Rate = rate, RatePeriod = period, KeyConcurrency = keyConcurrency };

    private static async Task<int> CountAsync(Harness h, JobStatus status, string? type = null) =>
        (await h.Client.ListAsync(new JobQuery { Status = status, Type = type, Limit = 500 })).Items.Count;

    [Fact]
    public async Task A_concurrency_limit_is_never_exceeded_by_several_claimers_and_is_reached()
    {
        await using var h = await NewAsync();
        await SetLimitsAsync(h, TypeLimit(NoopArgs.Kind, concurrency: 3));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 30).Select(i => new NoopArgs(i)));

        // Six claimers (each its own connection), each asking for two jobs at a time. A job is held until three have been
        // seen running at once: so the limit is reached whatever the timing, and any claim past it would show.
        var held = 0;
        var maxHeld = 0;
        var maxInDatabase = 0;
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                var running = await CountAsync(h, JobStatus.Processing);
                InterlockedMax(ref maxInDatabase, running);
                await Task.Yield();
            }
        });
        var claimers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            while ((await h.Client.CountByStatusAsync()).GetValueOrDefault(JobStatus.Completed) < 30)
            {
                var rows = await h.Store.JobClaimAsync(Claim(2, $"w{w}"), CancellationToken.None);
                if (rows.Count == 0)
                {
                    await Task.Yield();
                    continue;
                }
                var now = Interlocked.Add(ref held, rows.Count);
                InterlockedMax(ref maxHeld, now);
                if (now >= 3) reached.TrySetResult();
                await reached.Task.WaitAsync(Wait);
                Interlocked.Add(ref held, -rows.Count);
                foreach (var row in rows)
                    Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(row.Id, row.LockToken!.Value, null), CancellationToken.None));
            }
        })).ToArray();
        await Task.WhenAll(claimers).WaitAsync(Wait * 3);
        await done.CancelAsync();
        await sampler;

        Assert.Equal(3, maxHeld);
        Assert.InRange(maxInDatabase, 0, 3);
        Assert.Equal(30, await CountAsync(h, JobStatus.Completed, NoopArgs.Kind));
        var usage = Assert.Single((await h.Client.StatsAsync()).Limits);
        Assert.Equal(3, usage.Limit.Concurrency);
        Assert.Equal(0, usage.Running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task A_rate_limit_holds_over_a_window_of_the_fake_clock()
    {
        await using var h = await NewAsync(fakeTime: true);
        await SetLimitsAsync(h, TypeLimit(NoopArgs.Kind, rate: 5, period: TimeSpan.FromMinutes(1)));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 12).Select(i => new NoopArgs(i)));

        Assert.Equal(5, (await h.Store.JobClaimAsync(Claim(10), CancellationToken.None)).Count);
        Assert.Empty(await h.Store.JobClaimAsync(Claim(10), CancellationToken.None));
        // Finishing jobs frees no rate: the window counts starts.
        while (await h.Processor.ProcessOneAsync() is not null) { }
        Assert.Equal(5, await CountAsync(h, JobStatus.Processing));
        var usage = Assert.Single((await h.Client.StatsAsync()).Limits);
        Assert.Equal(5, usage.StartedInWindow);
        Assert.Equal(5, usage.Running);

        h.Time!.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await h.Store.JobClaimAsync(Claim(10), CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, (await h.Store.JobClaimAsync(Claim(10), CancellationToken.None)).Count);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, (await h.Store.JobClaimAsync(Claim(10), CancellationToken.None)).Count);
        Assert.Equal(0, await CountAsync(h, JobStatus.Pending));
        // No job was claimed and handed back: each was claimed once.
        Assert.All((await h.Client.ListAsync(new JobQuery { Limit = 50 })).Items, j => Assert.Equal(1, j.Attempts));
    }

    [Fact]
    public async Task Jobs_with_one_concurrency_key_run_one_at_a_time_in_priority_then_fifo_order_and_other_keys_in_parallel()
    {
        await using var h = await NewAsync();
        var a1 = await h.Client.EnqueueAsync(new EchoArgs("a1"), new EnqueueOptions { ConcurrencyKey = "account-a" });
        var a2 = await h.Client.EnqueueAsync(new EchoArgs("a2"), new EnqueueOptions { ConcurrencyKey = "account-a", Priority = 5 });
        var a3 = await h.Client.EnqueueAsync(new EchoArgs("a3"), new EnqueueOptions { ConcurrencyKey = "account-a" });
        var b1 = await h.Client.EnqueueAsync(new EchoArgs("b1"), new EnqueueOptions { ConcurrencyKey = "account-b" });
        Assert.Equal("account-a", (await h.Client.GetAsync(a1.Id))!.ConcurrencyKey);

        var order = new List<long>();
        var first = await h.Store.JobClaimAsync(Claim(10), CancellationToken.None);
        Assert.Equal([a2.Id, b1.Id], first.Select(r => r.Id));
        Assert.Empty(await h.Store.JobClaimAsync(Claim(10), CancellationToken.None));
        var running = first[0];
        while (true)
        {
            order.Add(running.Id);
            Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(running.Id, running.LockToken!.Value, null), CancellationToken.None));
            var next = await h.Store.JobClaimAsync(Claim(10), CancellationToken.None);
            if (next.Count == 0) break;
            running = Assert.Single(next);
        }
        Assert.Equal([a2.Id, a1.Id, a3.Id], order);
    }

    [Fact]
    public async Task A_key_concurrency_of_two_lets_two_jobs_of_one_key_run()
    {
        await using var h = await NewAsync();
        await SetLimitsAsync(h, TypeLimit(EchoArgs.Kind, keyConcurrency: 2));
        for (var i = 0; i < 4; i++) await h.Client.EnqueueAsync(new EchoArgs($"k{i}"), new EnqueueOptions { ConcurrencyKey = "k" });
        var claimed = new List<JobRow>();
        for (var i = 0; i < 4; i++) claimed.AddRange(await h.Store.JobClaimAsync(Claim(10), CancellationToken.None));
        Assert.Equal(2, claimed.Count);
        Assert.Equal(1, Assert.Single((await h.Client.StatsAsync()).Limits).KeysRunning);
    }

    [Fact]
    public async Task An_unlimited_type_drains_while_a_limited_type_has_a_backlog()
    {
        await using var h = await NewAsync();
        await SetLimitsAsync(h, TypeLimit(NoopArgs.Kind, concurrency: 1));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 2000).Select(i => new NoopArgs(i)));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 50).Select(i => new EchoArgs($"e{i}")));
        // The limited type's first job is held for the whole test: the others of its type wait, the echo jobs must not.
        var holder = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "h") { Kinds = [NoopArgs.Kind] }, CancellationToken.None));
        var echoed = 0;
        while (echoed < 50)
        {
            var rows = await h.Store.JobClaimAsync(Claim(10), CancellationToken.None);
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal(EchoArgs.Kind, r.Kind));
            foreach (var r in rows) Assert.True(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, r.LockToken!.Value, null), CancellationToken.None));
            echoed += rows.Count;
        }
        Assert.Equal(1, await CountAsync(h, JobStatus.Processing));
        Assert.Equal(holder.Id, (await h.Client.ListAsync(new JobQuery { Status = JobStatus.Processing })).Items.Single().Id);
        // The waiting jobs were never claimed and handed back.
        Assert.All((await h.Client.ListAsync(new JobQuery { Status = JobStatus.Pending, Limit = 500 })).Items, j => Assert.Equal(0, j.Attempts));
    }

    [Fact]
    public async Task A_rescued_or_failed_job_frees_its_running_slot()
    {
        await using var h = await NewAsync(fakeTime: true);
        await SetLimitsAsync(h, TypeLimit(NoopArgs.Kind, concurrency: 1));
        await h.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new NoopArgs(i)));

        var first = Assert.Single(await h.Store.JobClaimAsync(Claim(5, "dead", TimeSpan.FromMinutes(1)), CancellationToken.None));
        Assert.Empty(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));
        h.Time!.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await h.Processor.RescueExpiredAsync());
        var second = Assert.Single(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));
        Assert.Empty(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));

        Assert.True(await h.Store.JobFailAsync(new JobFailParams(second.Id, second.LockToken!.Value, "{}", null), CancellationToken.None));
        var third = Assert.Single(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));
        Assert.Empty(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));
        Assert.True(await h.Store.JobReleaseAsync(third.Id, third.LockToken!.Value, CancellationToken.None));
        Assert.Single(await h.Store.JobClaimAsync(Claim(5), CancellationToken.None));
        Assert.NotEqual(first.Id, second.Id);
    }

    [Fact]
    public async Task A_queue_limit_holds_the_queue_and_leaves_other_queues_alone()
    {
        await using var h = await NewAsync();
        await SetLimitsAsync(h, new JobLimit { Scope = JobLimitScope.Queue, Name = "imports", Concurrency = 2 });
        for (var i = 0; i < 5; i++) await h.Client.EnqueueAsync(new EchoArgs($"i{i}"), new EnqueueOptions { Queue = "imports" });
        for (var i = 0; i < 5; i++) await h.Client.EnqueueAsync(new EchoArgs($"d{i}"));
        var rows = await h.Store.JobClaimAsync(Claim(20), CancellationToken.None);
        Assert.Equal(2, rows.Count(r => r.Queue == "imports"));
        Assert.Equal(5, rows.Count(r => r.Queue == "default"));
        Assert.Empty(await h.Store.JobClaimAsync(new JobClaimParams("imports", 5, TimeSpan.FromMinutes(1), "q"), CancellationToken.None));
    }

    [Fact]
    public async Task Limits_declared_in_code_are_written_at_start_and_replace_the_stored_set()
    {
        await using var h = await NewAsync(configure: b => b
            .AddLimit(new JobLimit { Scope = JobLimitScope.Queue, Name = "imports", Concurrency = 1 })
            .AddJob<LimitedArgs, LimitedHandler>(o => o.RateLimit(50, TimeSpan.FromMinutes(1)).ConcurrencyLimit(4)));
        await SetLimitsAsync(h, TypeLimit("stale_type", concurrency: 9));
        foreach (var service in h.Services.GetServices<IHostedService>().OfType<LimitDeclarations>())
            await service.StartAsync(CancellationToken.None);

        var limits = (await h.Client.StatsAsync()).Limits;
        Assert.Equal([(JobLimitScope.Type, LimitedArgs.Kind), (JobLimitScope.Queue, "imports")], limits.Select(l => (l.Limit.Scope, l.Limit.Name)));
        Assert.Equal(50, limits[0].Limit.Rate);
        Assert.Equal(TimeSpan.FromMinutes(1), limits[0].Limit.RatePeriod);
        Assert.Equal(4, limits[0].Limit.Concurrency);
        Assert.Equal("test-worker", limits[0].UpdatedBy);
    }

    [Fact]
    public void A_limit_out_of_range_is_refused_when_declared()
    {
        var services = new ServiceCollection();
        var builder = services.AddLeoraJobs();
        var ex = Assert.Throws<ArgumentException>(() => builder.AddLimit(new JobLimit { Scope = JobLimitScope.Type, Name = "x", Rate = 0 }));
        Assert.Contains("Rate must be at least 1", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.AddLimit(new JobLimit { Scope = JobLimitScope.Type, Name = "x", Rate = 5, RatePeriod = TimeSpan.FromDays(2) }));
        Assert.Throws<ArgumentException>(() => builder.AddLimit(new JobLimit { Scope = JobLimitScope.Queue, Name = "q", KeyConcurrency = 2 }));
        Assert.Throws<ArgumentException>(() => builder.AddLimit(new JobLimit { Scope = JobLimitScope.Type, Name = "x", Concurrency = 0 }));
    }
}

public sealed record LimitedArgs(int N) : IJobArgs
{
    public static string Kind => "limited";
}

public sealed class LimitedHandler : IJobHandler<LimitedArgs>
{
    public Task HandleAsync(JobContext<LimitedArgs> job, CancellationToken cancellationToken) => Task.CompletedTask;
}
