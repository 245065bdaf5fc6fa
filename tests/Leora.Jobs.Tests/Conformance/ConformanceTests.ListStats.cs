namespace Leora.Jobs.Tests;

/// <summary>List, count and stats.</summary>
public abstract partial class ConformanceTests
{
    [Fact]
    public async Task Lists_filter_and_page_by_cursor_and_counts_match()
    {
        await using var h = await NewAsync();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add((await h.Client.EnqueueAsync(new EchoArgs($"e{i}"))).Id);
        await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Queue = "other" });
        await h.Client.CancelAsync(ids[0]);

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await h.Client.ListAsync(new JobQuery { Type = "echo", Status = JobStatus.Pending, Limit = 3, Cursor = cursor });
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(j => j.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);
        Assert.Equal(ids.Skip(1).Reverse(), seen);

        var oldest = await h.Client.ListAsync(new JobQuery { NewestFirst = false, Limit = 2 });
        Assert.Equal(ids.Take(2), oldest.Items.Select(j => j.Id));
        Assert.Single((await h.Client.ListAsync(new JobQuery { Queue = "other" })).Items);

        var counts = await h.Client.CountByStatusAsync();
        Assert.Equal(7, counts[JobStatus.Pending]);
        Assert.Equal(1, counts[JobStatus.Cancelled]);
        Assert.Equal(0, counts[JobStatus.Completed]);
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.ListAsync(new JobQuery { Cursor = "nope" }));
        await Assert.ThrowsAsync<JobValidationException>(() => h.Client.ListAsync(new JobQuery { Limit = 0 }));
    }

    [Fact]
    public async Task Stats_count_by_status_type_queue_and_recent_outcomes()
    {
        await using var h = await NewAsync(fakeTime: true);
        await h.Client.EnqueueAsync(new EchoArgs("ok"));
        await h.Client.EnqueueAsync(new FailArgs(-1, Permanent: true));
        await h.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 10 });
        h.Time!.Advance(TimeSpan.FromSeconds(30));
        await h.Client.EnqueueAsync(new NoopArgs(1), new EnqueueOptions { Queue = "q2" });
        await h.Client.EnqueueAsync(new NoopArgs(2), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        h.Time.Advance(TimeSpan.FromSeconds(5));

        var stats = await h.Client.StatsAsync();
        Assert.Equal(1, stats.ByStatus[JobStatus.Completed]);
        Assert.Equal(1, stats.ByStatus[JobStatus.Failed]);
        Assert.Equal(2, stats.ByStatus[JobStatus.Pending]);
        Assert.Equal(1, stats.DuePending);
        Assert.Equal(1, stats.Scheduled);
        Assert.Equal(2, stats.ByType["noop"][JobStatus.Pending]);
        Assert.Equal(1, stats.ByQueue["q2"][JobStatus.Pending]);
        Assert.Equal(1, stats.CompletedLastHour);
        Assert.Equal(1, stats.FailedLastHour);
        Assert.Equal(TimeSpan.FromSeconds(5), stats.OldestDuePendingAge);
        var points = await h.Client.ThroughputAsync(TimeSpan.FromHours(1));
        Assert.Equal(60, points.Count);
        Assert.Equal(1, points.Sum(p => p.Completed));
    }
}
