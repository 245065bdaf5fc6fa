using System.Net;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The API as a library in someone else's app, mounted as docs/http-api.md shows, under a prefix of the host's choosing.</summary>
public sealed class LibraryMountTests
{
    [Fact]
    public async Task An_app_mounts_the_API_under_its_own_prefix_with_keys_set_in_code()
    {
        using var db = new TempSqlite();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddLeoraJobs().UseSqlite(db.ConnectionString).AddWebhookJob();
        builder.Services.AddLeoraJobsApi(o => o.ApiKeys.Add("key-set-in-code"));

        await using var app = builder.Build();
        app.UseStatusCodePages();
        var api = app.MapGroup("/internal/queue").MapLeoraJobsApi();
        Assert.NotNull(api);
        app.MapGroup("/healthz").MapLeoraJobsHealth();
        await app.StartAsync();

        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await (await client.GetAsync("/internal/queue/stats")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.NotFound);
        await (await client.GetAsync("/healthz/ready")).ExpectAsync(HttpStatusCode.OK);

        client.DefaultRequestHeaders.Add("x-api-key", "key-set-in-code");
        var response = await client.PostJsonAsync("/internal/queue", new { type = "webhook", payload = new { url = "https://example.com/" } });
        var job = await response.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal($"/internal/queue/{job.Long("id")}", response.Headers.Location?.OriginalString);
        await (await client.GetAsync(response.Headers.Location)).ExpectAsync(HttpStatusCode.OK);
        await app.StopAsync();
    }
}
