using System.Net;
using Microsoft.Extensions.Configuration;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>Key configuration: fail closed without a key, and rotation without a restart.</summary>
public sealed class AuthTests
{
    [Fact]
    public async Task With_no_key_configured_every_job_endpoint_refuses_and_health_still_answers()
    {
        await using var service = await LeoraService.StartAsync("sqlite", withKeys: false);
        foreach (var client in new[] { service.Anonymous(), service.WithKey("anything"), service.WithBearer("") })
        {
            using (client)
            {
                var problem = await (await client.GetAsync("/api/jobs/stats")).ProblemAsync(HttpStatusCode.Unauthorized);
                Assert.Contains("No API key is configured", problem.Str("detail"), StringComparison.Ordinal);
                await (await client.PostAsync("/api/jobs/process", null)).ProblemAsync(HttpStatusCode.Unauthorized);
            }
        }
        using var anonymous = service.Anonymous();
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Keys_rotate_without_a_restart_old_and_new_both_work_until_the_old_is_removed()
    {
        await using var service = await LeoraService.StartAsync("sqlite");
        const string next = "the-next-key-after-rotation-0001";
        using var oldKey = service.WithKey(LeoraService.Key1);
        using var newKey = service.WithBearer(next);
        await (await oldKey.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        await (await newKey.GetAsync("/api/jobs/stats")).ProblemAsync(HttpStatusCode.Unauthorized);

        // Step 1: add the new key beside the old one.
        ((IConfigurationBuilder)service.Configuration).AddInMemoryCollection(new Dictionary<string, string?> { ["Jobs:ApiKeys:5"] = next });
        await (await oldKey.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        await (await newKey.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);

        // Step 2: retire the old one.
        ((IConfigurationBuilder)service.Configuration).AddInMemoryCollection(new Dictionary<string, string?> { ["JOB_PROCESSOR_API_KEY"] = "" });
        await (await oldKey.GetAsync("/api/jobs/stats")).ProblemAsync(HttpStatusCode.Unauthorized);
        await (await newKey.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_body_limit_is_configurable()
    {
        await using var service = await LeoraService.StartAsync("sqlite", ["--Jobs:Api:MaxRequestBodyBytes=2048"]);
        using var client = service.WithKey();
        var body = new string('x', 3000);
        var problem = await (await client.PostRawAsync("/api/jobs", $$$"""{"type":"webhook","payload":{"url":"https://example.com/","body":"{{{body}}}"}}"""))
            .ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("2048", problem.Str("detail"), StringComparison.Ordinal);
        await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = "https://example.com/" } })).ExpectAsync(HttpStatusCode.Created);
    }
}
