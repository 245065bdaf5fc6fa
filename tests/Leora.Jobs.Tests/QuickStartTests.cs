using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Tests;

/// <summary>The getting-started guide's code (samples/Leora.Jobs.QuickStart) runs as documented.</summary>
public sealed class QuickStartTests
{
    [Fact]
    public async Task The_quick_start_runs_a_job_to_completion()
    {
        using var db = new TempSqlite();
        var job = await QuickStart.QuickStart.RunAsync(db.Path_).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal("send_welcome_email", job.Type);
        Assert.Equal("ana@example.com", job.Result!.Value.GetProperty("sentTo").GetString());
    }
}
