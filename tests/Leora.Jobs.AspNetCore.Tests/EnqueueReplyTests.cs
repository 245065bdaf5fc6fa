using System.Net;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The enqueue reply is built from the insert's own answer, not read back: it must still be, field for field and byte
/// for byte, what a following <c>GET /api/jobs/{id}</c> sends, for a new job and for an idempotent repeat. Run per store.
/// </summary>
public abstract class EnqueueReplyTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    // A queue no worker serves, so that nothing changes the job between the reply and the read.
    private static string NewQueue() => "idle" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task The_reply_to_an_enqueue_is_the_job_a_read_returns()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var key = "reply-" + Guid.NewGuid().ToString("N");
        // Members out of the canonical order and a delay in fractions of a second: the reply must show the payload and
        // the times as stored (jsonb's rendering on PostgreSQL; milliseconds on SQLite), not as sent.
        var body = new
        {
            type = "webhook",
            payload = new { method = "PUT", url = _receiver.Url($"/ok?tag={queue}"), body = new { z = 1, a = new[] { 1, 2 } } },
            queue,
            priority = 7,
            maxAttempts = 4,
            delaySeconds = 3600.1234,
            idempotencyKey = key,
        };

        var created = await client.PostJsonAsync("/api/jobs", body);
        var reply = await created.ExpectAsync(HttpStatusCode.Created);
        var id = reply.Long("id");
        Assert.Equal($"/api/jobs/{id}", created.Headers.Location?.OriginalString);
        AssertSameJob(await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK), reply);

        // A repeat with the same key and another payload answers with the existing job, as stored.
        var repeat = await (await client.PostJsonAsync("/api/jobs", body with { priority = 1, delaySeconds = 1.0 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, repeat.Long("id"));
        AssertSameJob(await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK), repeat);
        Assert.Equal(7, repeat.Int("priority"));
    }

    [Fact]
    public async Task The_reply_to_an_enqueue_without_options_is_the_job_a_read_returns()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var reply = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url($"/ok?tag={queue}") },
            queue,
            runAt = DateTimeOffset.UtcNow.AddHours(1).AddTicks(1234),
        })).ExpectAsync(HttpStatusCode.Created);
        AssertSameJob(await (await client.GetAsync($"/api/jobs/{reply.Long("id")}")).ExpectAsync(HttpStatusCode.OK), reply);
    }

    private static void AssertSameJob(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(
            expected.EnumerateObject().Select(p => p.Name),
            actual.EnumerateObject().Select(p => p.Name));
        foreach (var member in expected.EnumerateObject())
            Assert.True(member.Value.GetRawText() == actual.GetProperty(member.Name).GetRawText(),
                $"{member.Name}: the reply has {actual.GetProperty(member.Name).GetRawText()}, a read {member.Value.GetRawText()}");
    }
}

public sealed class SqliteEnqueueReplyTests(SqliteServiceFixture fixture) : EnqueueReplyTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlEnqueueReplyTests(PostgreSqlServiceFixture fixture) : EnqueueReplyTests(fixture), IClassFixture<PostgreSqlServiceFixture>;
