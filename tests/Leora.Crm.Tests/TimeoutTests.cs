using Leora.Jobs;

namespace Leora.Crm.Tests;

/// <summary>A Claude call that outlives <see cref="CrmOptions.RequestTimeout"/> retries the job; the scan keeps processing.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task A_claude_call_that_times_out_is_retried_not_failed()
    {
        await using var claude = await FakeClaude.StartAsync();
        await using var host = await CrmHost.StartAsync(Db.Sqlite, claude, o => o.RequestTimeout = TimeSpan.FromSeconds(1));
        using var image = new MemoryStream(SampleImages.Png());
        var (scanId, jobId) = await host.Commands.CreateScanAsync("business_card", "image/png", "card.png", image, CancellationToken.None);
        claude.AnswerNothing(TimeSpan.FromSeconds(30));
        var batch = await host.ProcessAsync(maxJobs: 1);
        Assert.Equal(1, batch.Retried);
        var job = (await host.Jobs.GetAsync(jobId))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        Assert.Contains("did not answer in time", job.Errors[^1].Message);
        Assert.Equal("processing", (await host.GetJsonAsync($"/api/scans/{scanId}")).GetProperty("status").GetString());
    }
}
