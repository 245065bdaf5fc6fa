using System.Net;
using Leora.Jobs;

namespace Leora.Crm.Tests;

/// <summary>Without an Anthropic API key, image extraction is refused at upload and a queued job fails at once.</summary>
public sealed class NotConfiguredTests
{
    [Fact]
    public async Task Upload_is_refused_and_a_queued_job_fails_on_its_first_attempt()
    {
        await using var host = await CrmHost.StartAsync(Db.Sqlite, claude: null);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(SampleImages.Png()), "image", "card.png");
        form.Add(new StringContent("business_card"), "scanType");
        using var response = await host.Client.PostAsync("/api/scans", form);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("image extraction is not configured", await response.Content.ReadAsStringAsync());

        // A scan queued before the key was removed (or by another node) fails at once, not after its retries.
        using var image = new MemoryStream(SampleImages.Png());
        var (scanId, jobId) = await host.Commands.CreateScanAsync("business_card", "image/png", "card.png", image, CancellationToken.None);
        Assert.Equal(1, (await host.ProcessAsync()).Failed);
        var job = (await host.Jobs.GetAsync(jobId))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(1, job.Attempts);
        var scan = await host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.StartsWith("image extraction is not configured", scan.GetProperty("error").GetString());
    }
}
