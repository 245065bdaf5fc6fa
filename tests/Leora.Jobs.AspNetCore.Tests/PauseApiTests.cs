using System.Net;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The pause endpoints through the real service over HTTP, once per store (issue 12): a paused queue's job is left pending
/// by the batch endpoint with no attempt used, stats and the list show the pause, a resume lets the batch run it; the
/// refusals (400 naming the field or the known types, 401).
/// </summary>
public abstract class PauseApiTests(string provider) : IAsyncLifetime
{
    private LeoraService _service = null!;

    public async Task InitializeAsync() => _service = await LeoraService.StartAsync(provider);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_paused_queue_is_left_alone_by_the_batch_endpoint_until_resumed()
    {
        using var client = _service.WithKey();
        var enqueued = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook", queue = "hooks", payload = new { url = "http://localhost:9/hook", method = "GET" },
        })).ExpectAsync(HttpStatusCode.Created);
        var id = enqueued.Long("id");

        var pause = await (await client.PostAsync("/api/jobs/queues/hooks/pause", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("queue", pause.Str("scope"));
        Assert.Equal("hooks", pause.Str("name"));
        var again = await (await client.PostAsync("/api/jobs/queues/hooks/pause", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(pause.GetProperty("pausedAt").GetDateTimeOffset(), again.GetProperty("pausedAt").GetDateTimeOffset());

        await (await client.PostAsync("/api/jobs/process?maxJobs=10", null)).ExpectAsync(HttpStatusCode.OK);
        await (await client.GetAsync("/api/jobs/process/cron?maxJobs=10")).ExpectAsync(HttpStatusCode.OK);
        var waiting = await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", waiting.Str("status"));
        Assert.Equal(0, waiting.Int("attempts"));

        var listed = await (await client.GetAsync("/api/jobs/pauses")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["queue:hooks"], listed.GetProperty("pauses").EnumerateArray().Select(p => $"{p.Str("scope")}:{p.Str("name")}"));
        var stats = await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["hooks"], stats.GetProperty("paused").EnumerateArray().Select(p => p.Str("name")));

        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/jobs/queues/hooks/resume", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/jobs/queues/hooks/resume", null)).StatusCode);
        await (await client.PostAsync("/api/jobs/process?maxJobs=10", null)).ExpectAsync(HttpStatusCode.OK);
        var ran = await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, ran.Int("attempts"));
        Assert.Empty((await (await client.GetAsync("/api/jobs/pauses")).ExpectAsync(HttpStatusCode.OK)).GetProperty("pauses").EnumerateArray());
    }

    [Fact]
    public async Task Pausing_an_unknown_type_or_a_bad_queue_name_is_refused_and_the_endpoints_need_a_key()
    {
        using var client = _service.WithKey();
        var unknown = await (await client.PostAsync("/api/jobs/types/send_welcome_emial/pause", null)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("webhook", unknown.GetProperty("knownTypes").EnumerateArray().Select(t => t.GetString()));
        var bad = await (await client.PostAsync("/api/jobs/queues/not%20valid/pause", null)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("queue", out _), bad.ToString());
        await (await client.PostAsync("/api/jobs/types/webhook/pause", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/jobs/types/webhook/resume", null)).StatusCode);
        Assert.Empty((await (await client.GetAsync("/api/jobs/pauses")).ExpectAsync(HttpStatusCode.OK)).GetProperty("pauses").EnumerateArray());

        using var anonymous = _service.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/jobs/pauses")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/jobs/queues/hooks/pause", null)).StatusCode);
    }
}

public sealed class SqlitePauseApiTests() : PauseApiTests("sqlite");

public sealed class PostgreSqlPauseApiTests() : PauseApiTests("postgresql");
