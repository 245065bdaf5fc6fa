using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Claim: order, batches, due times and queues.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Claims_follow_priority_then_run_at_then_id()
    {
        await using var h = await NewAsync(fakeTime: true);
        var t0 = h.Time!.GetUtcNow();
        var low = await h.Client.EnqueueAsync(new EchoArgs("low"), new EnqueueOptions { Priority = -1 });
        var a = await h.Client.EnqueueAsync(new EchoArgs("a"), new EnqueueOptions { RunAt = t0.AddSeconds(-5) });
        var b = await h.Client.EnqueueAsync(new EchoArgs("b"), new EnqueueOptions { RunAt = t0.AddSeconds(-10) });
        var c = await h.Client.EnqueueAsync(new EchoArgs("c"), new EnqueueOptions { RunAt = t0.AddSeconds(-10) });
        var high = await h.Client.EnqueueAsync(new EchoArgs("high"), new EnqueueOptions { Priority = 5 });
        var order = new List<long>();
        while (await h.Processor.ProcessOneAsync() is { } report) order.Add(report.Id);
        Assert.Equal([high.Id, b.Id, c.Id, a.Id, low.Id], order);
    }

    [Fact]
    public async Task A_batch_claim_returns_jobs_in_claim_order_and_counts_the_attempt()
    {
        await using var h = await NewAsync();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add((await h.Client.EnqueueAsync(new NoopArgs(i), new EnqueueOptions { Priority = i % 2 })).Id);
        var rows = await h.Store.JobClaimAsync(new JobClaimParams(null, 3, TimeSpan.FromMinutes(1), "w"), CancellationToken.None);
        Assert.Equal([ids[1], ids[3], ids[0]], rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Equal(1, r.Attempts));
        Assert.Equal(3, rows.Select(r => r.LockToken).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(JobStatus.Processing, r.Status));
    }

    [Fact]
    public async Task A_delayed_job_is_not_claimed_before_it_is_due()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromMinutes(5) });
        Assert.Null(await h.Processor.ProcessOneAsync());
        var page = await h.Client.ListAsync(new JobQuery { Status = JobStatus.Pending, Scheduled = true });
        Assert.Equal([r.Id], page.Items.Select(j => j.Id));
        h.Time!.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(r.Id, (await h.Processor.ProcessOneAsync())?.Id);
    }

    [Fact]
    public async Task Queues_are_claimed_separately()
    {
        await using var h = await NewAsync();
        var mail = await h.Client.EnqueueAsync(new EchoArgs("m"), new EnqueueOptions { Queue = "mail" });
        var def = await h.Client.EnqueueAsync(new EchoArgs("d"));
        Assert.Equal(mail.Id, (await h.Processor.ProcessOneAsync("mail"))?.Id);
        Assert.Null(await h.Processor.ProcessOneAsync("mail"));
        Assert.Equal(def.Id, (await h.Processor.ProcessOneAsync("default"))?.Id);
    }
}
