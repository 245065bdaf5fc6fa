using System.Net;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// <c>POST /api/jobs/bulk</c>: up to 1,000 jobs in one request, each with its own type, options and idempotency key,
/// validated all or nothing. Run per store.
/// </summary>
public abstract class BulkEnqueueTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    // A queue no worker serves (the service's worker is off), so that every job stays as enqueued.
    private static string NewQueue() => "bulk" + Guid.NewGuid().ToString("N")[..12];

    private object Webhook(string queue, int n, string? key = null, int? priority = null) => new
    {
        type = "webhook",
        payload = new { url = _receiver.Url($"/ok?n={n}") },
        queue,
        priority,
        idempotencyKey = key,
    };

    [Fact]
    public async Task A_thousand_jobs_with_their_own_options_and_keys_are_enqueued_in_order()
    {
        using var client = _service.WithKey();
        var (queueA, queueB) = (NewQueue(), NewQueue());
        var taken = "taken-" + Guid.NewGuid().ToString("N");
        var before = (await (await client.PostJsonAsync("/api/jobs", Webhook(queueA, -1, taken))).ExpectAsync(HttpStatusCode.Created)).Long("id");

        var shared = "shared-" + Guid.NewGuid().ToString("N");
        var jobs = new List<object>();
        for (var i = 0; i < 1000; i++)
        {
            var key = i switch { 10 => taken, 20 or 30 => shared, _ when i % 100 == 50 => $"own-{i}-{Guid.NewGuid():N}", _ => null };
            jobs.Add(Webhook(i % 2 == 0 ? queueA : queueB, i, key, priority: i % 7));
        }
        var reply = await (await client.PostJsonAsync("/api/jobs/bulk", new { jobs })).ExpectAsync(HttpStatusCode.OK);
        var items = reply.GetProperty("jobs").EnumerateArray().ToArray();
        Assert.Equal(1000, items.Length);
        // Two answers found an existing job: the key taken before the call, and the second use of a key shared within it.
        Assert.Equal(998, reply.Int("created"));
        Assert.Equal(2, reply.Int("existing"));
        Assert.Equal(before, items[10].Long("id"));
        Assert.True(items[10].GetProperty("existing").GetBoolean());
        Assert.False(items[20].GetProperty("existing").GetBoolean());
        Assert.True(items[30].GetProperty("existing").GetBoolean());
        Assert.Equal(items[20].Long("id"), items[30].Long("id"));
        Assert.Equal(998, items.Where(i => !i.GetProperty("existing").GetBoolean()).Select(i => i.Long("id")).Distinct().Count());

        // Each new job is stored with its own queue, priority and payload, in request order.
        foreach (var n in new[] { 0, 1, 499, 998, 999 })
        {
            var job = await (await client.GetAsync($"/api/jobs/{items[n].Long("id")}")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(n % 2 == 0 ? queueA : queueB, job.Str("queue"));
            Assert.Equal(n % 7, job.Int("priority"));
            Assert.EndsWith($"/ok?n={n}", job.GetProperty("payload").Str("url"), StringComparison.Ordinal);
            Assert.Equal("pending", job.Str("status"));
        }
        var ids = items.Where(i => !i.GetProperty("existing").GetBoolean()).Select(i => i.Long("id")).ToArray();
        Assert.Equal(ids.Order().ToArray(), ids);
        var listedA = await (await client.GetAsync($"/api/jobs?queue={queueA}&limit=1000")).ExpectAsync(HttpStatusCode.OK);
        // Queue A: the 500 even-numbered jobs less the two whose key found an existing job (10, 30), and the one enqueued before.
        Assert.Equal(499, listedA.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Invalid_jobs_are_all_named_and_none_is_enqueued()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var jobs = new List<object>();
        for (var i = 0; i < 10; i++) jobs.Add(Webhook(queue, i));
        jobs[2] = new { type = "no_such_type", payload = new { }, queue };
        jobs[5] = new { type = "webhook", payload = new { method = "POST" }, queue };
        jobs[7] = new { type = "webhook", payload = new { url = _receiver.Url("/ok") }, queue = "bad queue name" };
        jobs[8] = new { type = "webhook", payload = new { url = _receiver.Url("/ok") }, queue, delaySeconds = -1 };

        var problem = await (await client.PostJsonAsync("/api/jobs/bulk", new { jobs })).ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToArray();
        Assert.Equal(4, errors.Length);
        Assert.Contains("jobs[2].type", errors);
        Assert.Contains(errors, e => e.StartsWith("jobs[5].payload", StringComparison.Ordinal));
        Assert.Contains("jobs[7].queue", errors);
        Assert.Contains("jobs[8].delaySeconds", errors);
        Assert.Contains("4 of 10 jobs are invalid", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("Known types", problem.GetProperty("errors").GetProperty("jobs[2].type")[0].GetString(), StringComparison.Ordinal);

        var listed = await (await client.GetAsync($"/api/jobs?queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_body_that_is_not_a_bulk_request_is_refused_with_a_clear_problem()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();

        var none = await (await client.PostJsonAsync("/api/jobs/bulk", new { jobs = Array.Empty<object>() })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1–1000 jobs", none.GetProperty("errors").GetProperty("jobs")[0].GetString(), StringComparison.Ordinal);
        var tooMany = Enumerable.Range(0, 1001).Select(i => Webhook(queue, i)).ToArray();
        var many = await (await client.PostJsonAsync("/api/jobs/bulk", new { jobs = tooMany })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("was 1001", many.Str("detail"), StringComparison.Ordinal);

        var unknown = await (await client.PostRawAsync("/api/jobs/bulk", """{"jobs":[{"type":"webhook","payload":{},"colour":"red"}]}"""))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(unknown.GetProperty("errors").EnumerateObject(), e => e.Name.StartsWith("jobs[0]", StringComparison.Ordinal));
        Assert.DoesNotContain("Leora.", unknown.ToString(), StringComparison.Ordinal);

        await (await client.PostRawAsync("/api/jobs/bulk", "[1,2]")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostRawAsync("/api/jobs/bulk", """{"jobs":[""")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostRawAsync("/api/jobs/bulk", "jobs", "text/plain")).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        using var anonymous = _service.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonAsync("/api/jobs/bulk", new { jobs = new[] { Webhook(queue, 0) } })).StatusCode);

        var listed = await (await client.GetAsync($"/api/jobs?queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_body_past_the_bulk_limit_is_refused_413_naming_the_setting()
    {
        using var client = _service.WithKey();
        var big = new string('x', 9 * 1024 * 1024);
        var body = "{\"jobs\":[{\"type\":\"webhook\",\"payload\":{\"url\":\"http://localhost/\",\"body\":\"" + big + "\"}}]}";
        var problem = await (await client.PostRawAsync("/api/jobs/bulk", body))
            .ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Jobs:Api:MaxBulkRequestBodyBytes", problem.Str("detail"), StringComparison.Ordinal);
    }
}

public sealed class SqliteBulkEnqueueTests(SqliteServiceFixture fixture) : BulkEnqueueTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlBulkEnqueueTests(PostgreSqlServiceFixture fixture) : BulkEnqueueTests(fixture), IClassFixture<PostgreSqlServiceFixture>;
