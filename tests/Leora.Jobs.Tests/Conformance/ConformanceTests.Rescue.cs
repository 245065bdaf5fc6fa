using Leora.Jobs.Storage;

namespace Leora.Jobs.Tests;

/// <summary>Rescue: expired leases go back to pending (or fail), and the old holder can write nothing.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task An_expired_lease_is_rescued_and_the_old_holders_writes_are_rejected()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("rescue me"));
        var first = Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(5), "dead-worker"), CancellationToken.None));

        Assert.Equal(0, await h.Processor.RescueExpiredAsync());
        h.Time!.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var report = await h.Processor.ProcessOneAsync();
        Assert.Equal(r.Id, report!.Id);
        Assert.Equal(JobOutcome.Completed, report.Outcome);

        var token = first.LockToken!.Value;
        Assert.False(await h.Store.JobCompleteAsync(new JobCompleteParams(r.Id, token, "{\"late\":true}"), CancellationToken.None));
        Assert.False(await h.Store.JobFailAsync(new JobFailParams(r.Id, token, "{}", null), CancellationToken.None));
        Assert.False(await h.Store.JobProgressAsync(new JobProgressParams(r.Id, token, 5, "late"), CancellationToken.None));
        Assert.Equal(JobHeartbeatResult.Lost, await h.Store.JobHeartbeatAsync(r.Id, token, TimeSpan.FromMinutes(5), CancellationToken.None));
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.Equal("LeaseExpired", Assert.Single(job.Errors).Type);
        Assert.Equal("dead-worker", job.Errors[0].Worker);
        Assert.False(job.Result!.Value.TryGetProperty("late", out _));
    }

    [Fact]
    public async Task A_job_that_kills_its_worker_every_time_runs_out_of_attempts()
    {
        await using var h = await NewAsync(fakeTime: true);
        var r = await h.Client.EnqueueAsync(new EchoArgs("crash loop"), new EnqueueOptions { MaxAttempts = 2 });
        for (var i = 0; i < 2; i++)
        {
            Assert.Single(await h.Store.JobClaimAsync(new JobClaimParams(null, 1, TimeSpan.FromMinutes(1), "crashing"), CancellationToken.None));
            h.Time!.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(1, await h.Processor.RescueExpiredAsync());
        }
        var job = (await h.Client.GetAsync(r.Id))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(2, job.Attempts);
        Assert.Equal(2, job.Errors.Count);
        Assert.Null(await h.Processor.ProcessOneAsync());
    }
}
