using System.Net;
using System.Text;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The job API through the real service over HTTP, run once per store (SQLite, PostgreSQL).</summary>
public abstract class ApiTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    private static string NewQueue() => "q" + Guid.NewGuid().ToString("N")[..12];

    private object Webhook(string queue, string path = "/ok", object? extra = null) => new
    {
        type = "webhook",
        payload = new { url = _receiver.Url($"{path}?tag={queue}"), method = "POST" },
        queue,
    };

    private async Task<long> EnqueueAsync(HttpClient client, string queue, string path = "/ok")
    {
        var job = await (await client.PostJsonAsync("/api/jobs", Webhook(queue, path))).ExpectAsync(HttpStatusCode.Created);
        return job.Long("id");
    }

    private async Task<long> TotalJobsAsync(HttpClient client)
    {
        var stats = await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        return stats.GetProperty("byStatus").EnumerateObject().Sum(p => p.Value.GetInt64());
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_key()
    {
        using var anonymous = _service.Anonymous();
        var live = await (await anonymous.GetAsync("/health/live")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ok", live.Str("status"));
        var ready = await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ready", ready.Str("status"));
        Assert.Equal(_service.Provider, ready.Str("provider"));
        Assert.True(ready.Int("schemaVersion") >= 1);
    }

    public static TheoryData<string, string> ProtectedRoutes => new()
    {
        { "POST", "/api/jobs/process" },
        { "GET", "/api/jobs/process" },
        { "GET", "/api/jobs/process/cron" },
        { "POST", "/api/jobs" },
        { "GET", "/api/jobs" },
        { "GET", "/api/jobs/1" },
        { "GET", "/api/jobs/1/timeline" },
        { "GET", "/api/jobs/history" },
        { "POST", "/api/jobs/1/cancel" },
        { "POST", "/api/jobs/1/retry" },
        { "POST", "/api/jobs/1/run-now" },
        { "POST", "/api/jobs/bulk" },
        { "POST", "/api/jobs/actions" },
        { "DELETE", "/api/jobs/1" },
        { "POST", "/api/jobs/cleanup" },
        { "GET", "/api/jobs/stats" },
        { "GET", "/api/jobs/schedules" },
        { "POST", "/api/jobs/schedules" },
        { "GET", "/api/jobs/schedules/x" },
        { "PUT", "/api/jobs/schedules/x" },
        { "DELETE", "/api/jobs/schedules/x" },
        { "POST", "/api/jobs/schedules/x/enable" },
        { "POST", "/api/jobs/schedules/x/disable" },
        { "POST", "/api/jobs/schedules/x/trigger" },
    };

    [Theory]
    [MemberData(nameof(ProtectedRoutes))]
    public async Task Every_job_endpoint_refuses_a_missing_or_wrong_key(string method, string path)
    {
        using var anonymous = _service.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var missing = await (await anonymous.SendAsync(request)).ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("API key is required", missing.Str("detail"), StringComparison.Ordinal);

        foreach (var client in new[] { _service.WithKey("wrong-key"), _service.WithBearer("wrong-key") })
        {
            using (client)
            {
                using var wrong = new HttpRequestMessage(new HttpMethod(method), path);
                var problem = await (await client.SendAsync(wrong)).ProblemAsync(HttpStatusCode.Unauthorized);
                Assert.Contains("not valid", problem.Str("detail"), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_jobs_timeline_the_history_and_a_payload_and_time_search_are_served()
    {
        using var client = _service.WithKey(LeoraService.Key1);
        var queue = NewQueue();
        var id = await EnqueueAsync(client, queue);
        var other = await EnqueueAsync(client, NewQueue());
        await (await client.PostAsync($"/api/jobs/process?maxJobs=10&queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);

        var timeline = await (await client.GetAsync($"/api/jobs/{id}/timeline")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, timeline.Long("id"));
        var events = timeline.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["enqueued", "claimed", "completed"], events.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(["pending", "processing", "completed"], events.Select(e => e.GetProperty("status").GetString()));
        Assert.Equal(1, events[1].GetProperty("attempt").GetInt32());
        Assert.False(string.IsNullOrEmpty(events[1].GetProperty("worker").GetString()));
        await (await client.GetAsync("/api/jobs/999999999/timeline")).ProblemAsync(HttpStatusCode.NotFound);

        var day = await (await client.GetAsync("/api/jobs/history?range=day")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("day", day.Str("range"));
        Assert.Equal(3600, day.Int("bucketSeconds"));
        var points = day.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(24, points.Count);
        Assert.True(points[^1].GetProperty("completed").GetInt64() >= 1);
        var hour = await (await client.GetAsync("/api/jobs/history")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(60, hour.GetProperty("points").GetArrayLength());
        await (await client.GetAsync("/api/jobs/history?range=year")).ProblemAsync(HttpStatusCode.BadRequest);

        // The queue's name is in the webhook's URL, so in the payload of its job only.
        var found = await (await client.GetAsync($"/api/jobs?payload={queue.ToUpperInvariant()}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([id], found.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetInt64()));
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var none = await (await client.GetAsync($"/api/jobs?payload={queue}&createdFrom={since}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, none.GetProperty("items").GetArrayLength());
        var finished = await (await client.GetAsync($"/api/jobs?status=pending&payload={queue}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(0, finished.GetProperty("items").GetArrayLength());
        await (await client.GetAsync($"/api/jobs?payload={new string('x', 201)}")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEqual(id, other);
    }

    [Fact]
    public async Task A_valid_key_is_accepted_in_either_header_and_in_both_but_a_wrong_one_beside_it_is_refused()
    {
        using var apiKey = _service.WithKey(LeoraService.Key1);
        using var bearer = _service.WithBearer(LeoraService.Key2);
        await (await apiKey.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        await (await bearer.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);

        using var both = _service.WithKey(LeoraService.Key1);
        both.DefaultRequestHeaders.Authorization = new("Bearer", LeoraService.Key2);
        await (await both.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);

        using var mixed = _service.WithKey(LeoraService.Key1);
        mixed.DefaultRequestHeaders.Authorization = new("Bearer", "wrong-key");
        await (await mixed.GetAsync("/api/jobs/stats")).ProblemAsync(HttpStatusCode.Unauthorized);

        using var basic = _service.Anonymous();
        basic.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String("user:pass"u8.ToArray()));
        await (await basic.GetAsync("/api/jobs/stats")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Enqueue_answers_201_with_location_and_the_job_and_a_repeated_idempotency_key_answers_200_with_the_same_job()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var before = DateTimeOffset.UtcNow;
        var response = await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url("/ok") },
            priority = 7,
            delaySeconds = 600,
            maxAttempts = 2,
            queue,
            idempotencyKey = queue,
        });
        var job = await response.ExpectAsync(HttpStatusCode.Created);
        var id = job.Long("id");
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("pending", job.Str("status"));
        Assert.Equal(7, job.Int("priority"));
        Assert.Equal(2, job.Int("maxAttempts"));
        Assert.Equal(queue, job.Str("queue"));
        Assert.Equal(_receiver.Url("/ok"), job.GetProperty("payload").Str("url"));
        Assert.InRange(job.GetProperty("runAt").GetDateTimeOffset(), before.AddSeconds(590), DateTimeOffset.UtcNow.AddSeconds(610));

        var fetched = await (await client.GetAsync(response.Headers.Location)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, fetched.Long("id"));

        var again = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = _receiver.Url("/ok") }, queue, idempotencyKey = queue }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, again.Long("id"));
        var list = await (await client.GetAsync($"/api/jobs?queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Enqueue_takes_a_concurrency_key_and_stats_show_each_limit_with_its_usage()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var job = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook", payload = new { url = _receiver.Url("/ok") }, queue, delaySeconds = 600, concurrencyKey = "account-42",
        })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("account-42", job.Str("concurrencyKey"));
        var fetched = await (await client.GetAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("account-42", fetched.Str("concurrencyKey"));

        var refused = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook", payload = new { url = _receiver.Url("/ok") }, queue, concurrencyKey = new string('k', 201),
        })).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True(refused.GetProperty("errors").TryGetProperty("concurrencyKey", out _));

        // A limit on this test's own queue (other tests' queues are not limited), as a node's start writes it.
        await _service.ExecuteSqlAsync(
            $"INSERT INTO leora_limits (scope, name, concurrency, updated_at, updated_by) VALUES ('queue', '{queue}', 2, 0, 'api-test')",
            $"INSERT INTO {{schema}}.limits (scope, name, concurrency, updated_at, updated_by) VALUES ('queue', '{queue}', 2, now(), 'api-test')");
        var stats = await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        var limit = stats.GetProperty("limits").EnumerateArray().Single(l => l.Str("name") == queue);
        Assert.Equal("queue", limit.Str("scope"));
        Assert.Equal(2, limit.Int("concurrency"));
        Assert.Equal(0, limit.Int("running"));
        Assert.Equal("api-test", limit.Str("updatedBy"));
    }

    [Fact]
    public async Task Bad_enqueue_requests_are_refused_with_problems_and_write_nothing()
    {
        using var client = _service.WithKey();
        var before = await TotalJobsAsync(client);

        var unknown = await (await client.PostJsonAsync("/api/jobs", new { type = "no_such_type", payload = new { } })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("webhook", unknown.GetProperty("knownTypes").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("no_such_type", unknown.Str("detail"), StringComparison.Ordinal);

        var badUrl = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = "not a url" } })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(badUrl.GetProperty("errors").TryGetProperty("payload.url", out _), badUrl.ToString());

        var badTimeout = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = "https://example.com/", timeoutSeconds = 9999 } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(badTimeout.GetProperty("errors").TryGetProperty("payload.timeoutSeconds", out _), badTimeout.ToString());

        var unknownField = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = "https://example.com/", colour = "red" } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("colour", unknownField.ToString(), StringComparison.Ordinal);

        var badOption = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = "https://example.com/" }, maxAttempts = 0 }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(badOption.GetProperty("errors").TryGetProperty("maxAttempts", out _), badOption.ToString());

        var noType = await (await client.PostRawAsync("/api/jobs", """{"payload":{}}""")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("type", noType.ToString(), StringComparison.Ordinal);

        var malformed = await (await client.PostRawAsync("/api/jobs", """{"type":"webhook","payload":""")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", malformed.Str("title"));
        await (await client.PostRawAsync("/api/jobs", "[1,2]")).ProblemAsync(HttpStatusCode.BadRequest);

        var huge = new string('x', 300 * 1024);
        var tooLarge = await (await client.PostRawAsync("/api/jobs", $$$"""{"type":"webhook","payload":{"url":"https://example.com/","body":"{{{huge}}}"}}"""))
            .ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("262144", tooLarge.Str("detail"), StringComparison.Ordinal);

        await (await client.PostRawAsync("/api/jobs", """{"type":"webhook"}""", "text/plain")).ProblemAsync(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(before, await TotalJobsAsync(client));
    }

    [Fact]
    public async Task A_body_sent_chunked_without_a_length_is_read_whole_and_one_past_the_limit_is_refused_413()
    {
        using var client = _service.WithKey();
        var before = await TotalJobsAsync(client);
        static HttpRequestMessage Chunked(string json)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs")
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            request.Headers.TransferEncodingChunked = true;
            return request;
        }

        var created = await (await client.SendAsync(Chunked("""{"type":"webhook","payload":{"url":"https://example.com/chunked"}}""")))
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("https://example.com/chunked", created.GetProperty("payload").Str("url"));

        var huge = new string('x', 300 * 1024);
        var tooLarge = await (await client.SendAsync(Chunked($$$"""{"type":"webhook","payload":{"url":"https://example.com/","body":"{{{huge}}}"}}""")))
            .ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("262144", tooLarge.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(before + 1, await TotalJobsAsync(client));
    }

    [Fact]
    public async Task Process_runs_due_jobs_and_answers_with_a_summary_and_one_line_per_job()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add(await EnqueueAsync(client, queue));
        var failing = await EnqueueAsync(client, queue, "/gone");

        var batch = await (await client.PostAsync($"/api/jobs/process?maxJobs=10&maxSeconds=60&queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(4, batch.Int("processed"));
        Assert.Equal(3, batch.Int("succeeded"));
        Assert.Equal(1, batch.Int("failed"));
        Assert.Equal(0, batch.Int("retried"));
        Assert.True(batch.GetProperty("durationMs").GetDouble() > 0);
        var lines = batch.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal([.. ids.Append(failing).Order()], lines.Select(l => l.Long("id")).Order().ToList());
        var failedLine = lines.Single(l => l.Long("id") == failing);
        Assert.Equal("failed", failedLine.Str("outcome"));
        Assert.Equal("webhook", failedLine.Str("type"));
        Assert.Contains("410", failedLine.Str("error"), StringComparison.Ordinal);
        Assert.All(lines.Where(l => l.Long("id") != failing), l => Assert.Equal(JsonValueKind.Null, l.GetProperty("error").ValueKind));
        Assert.Equal(3, _receiver.For(queue).Count(r => r.Path == "/ok"));

        foreach (var id in ids)
            Assert.Equal("completed", (await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
    }

    [Fact]
    public async Task Process_claims_no_more_than_maxJobs_and_the_status_route_lists_what_is_left()
    {
        // Its own database, so that the counts are exact (the class's shared service holds other tests' jobs).
        await using var service = await LeoraService.StartAsync(_service.Provider);
        using var client = service.WithKey();
        var queue = NewQueue();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await EnqueueAsync(client, queue));

        var status = await (await client.GetAsync("/api/jobs/process?limit=100")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(5, status.Long("pending"));
        Assert.Equal(ids.ToHashSet(), status.GetProperty("jobs").EnumerateArray().Select(j => j.Long("id")).ToHashSet());

        var batch = await (await client.PostAsync($"/api/jobs/process?maxJobs=2&queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, batch.Int("processed"));

        status = await (await client.GetAsync("/api/jobs/process?limit=100")).ExpectAsync(HttpStatusCode.OK);
        var listed = status.GetProperty("jobs").EnumerateArray().Select(j => j.Long("id")).ToHashSet();
        Assert.Equal(3, ids.Count(listed.Contains));
        Assert.Equal(3, listed.Count);
        Assert.Equal(3, status.Long("pending"));
        Assert.All(status.GetProperty("jobs").EnumerateArray(), j => Assert.Equal("pending", j.Str("status")));

        await (await client.PostAsync($"/api/jobs/process?maxJobs=10&queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("maxJobs=0")]
    [InlineData("maxJobs=1001")]
    [InlineData("maxJobs=abc")]
    [InlineData("maxSeconds=0")]
    [InlineData("maxSeconds=-5")]
    public async Task Process_refuses_bad_parameters(string query)
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var id = await EnqueueAsync(client, queue);
        var problem = await (await client.PostAsync($"/api/jobs/process?{query}&queue={queue}", null)).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(query.Split('=')[0], problem.ToString(), StringComparison.Ordinal);
        Assert.Equal("pending", (await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        await (await client.DeleteAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_GET_cron_route_really_processes_with_a_bearer_secret()
    {
        using var admin = _service.WithKey();
        var queue = NewQueue();
        var id = await EnqueueAsync(admin, queue);

        // What Vercel Cron sends: GET with Authorization: Bearer <CRON_SECRET>.
        using var cron = _service.WithBearer(LeoraService.Key2);
        var batch = await (await cron.GetAsync($"/api/jobs/process/cron?maxJobs=5&queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, batch.Int("processed"));
        Assert.Equal(id, batch.GetProperty("jobs")[0].Long("id"));
        Assert.Equal("completed", (await (await admin.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));

        using var anonymous = _service.Anonymous();
        await (await anonymous.GetAsync("/api/jobs/process/cron")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Unknown_ids_answer_404_for_every_job_route()
    {
        using var client = _service.WithKey();
        const long missing = 987_654_321;
        await (await client.GetAsync($"/api/jobs/{missing}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/jobs/{missing}/cancel", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync($"/api/jobs/{missing}/retry", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.DeleteAsync($"/api/jobs/{missing}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bulk_acts_on_ids_or_on_a_bounded_filter_and_says_why_each_unchanged_job_was_not()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var a = await EnqueueAsync(client, queue);
        var b = await EnqueueAsync(client, queue);
        var c = await EnqueueAsync(client, queue);
        const long missing = 987_654_321;

        var cancel = await (await client.PostJsonAsync("/api/jobs/actions", new { action = "cancel", ids = new[] { a, missing } })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(("cancel", 2, 1, false), (cancel.Str("action"), cancel.Int("selected"), cancel.Int("changed"), cancel.GetProperty("more").GetBoolean()));
        var unchanged = cancel.GetProperty("unchanged").EnumerateArray().Single();
        Assert.Equal((missing, "not found"), (unchanged.Long("id"), unchanged.Str("reason")));

        // By filter: the pending jobs of this queue, at most one; more says the other is left.
        var runNow = await (await client.PostJsonAsync("/api/jobs/actions", new { action = "runNow", status = "pending", queue })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((2, 0), (runNow.Int("selected"), runNow.Int("changed")));
        Assert.All(runNow.GetProperty("unchanged").EnumerateArray(), u => Assert.Equal("already due", u.Str("reason")));
        var delete = await (await client.PostJsonAsync("/api/jobs/actions", new { action = "delete", status = "pending", queue, limit = 1 })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((1, 1, true), (delete.Int("selected"), delete.Int("changed"), delete.GetProperty("more").GetBoolean()));
        await (await client.GetAsync($"/api/jobs/{b}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("pending", (await (await client.GetAsync($"/api/jobs/{c}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        var retry = await (await client.PostJsonAsync("/api/jobs/actions", new { action = "retry", status = "cancelled", queue })).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((1, 1, false), (retry.Int("selected"), retry.Int("changed"), retry.GetProperty("more").GetBoolean()));
        Assert.Equal("pending", (await (await client.GetAsync($"/api/jobs/{a}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));

        foreach (var (body, field) in new (object, string)[]
        {
            (new { action = "explode", ids = new[] { a } }, "action"),
            (new { action = "retry" }, "status"),
            (new { action = "retry", ids = Array.Empty<long>() }, "ids"),
            (new { action = "retry", ids = new[] { a }, status = "failed" }, "ids"),
            (new { action = "retry", status = "sleeping" }, "status"),
            (new { action = "retry", status = "all", limit = 1001 }, "limit"),
        })
        {
            var problem = await (await client.PostJsonAsync("/api/jobs/actions", body)).ProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{JsonSerializer.Serialize(body)}: {problem}");
        }
    }

    [Fact]
    public async Task Run_now_makes_a_scheduled_job_due_and_answers_409_for_one_that_is_not_waiting()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var later = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook", payload = new { url = _receiver.Url($"/ok?tag={queue}"), method = "POST" }, queue, delaySeconds = 3600,
        })).ExpectAsync(HttpStatusCode.Created);
        var id = later.Long("id");
        Assert.True(DateTimeOffset.Parse(later.Str("runAt"), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(30));
        var ran = await (await client.PostAsync($"/api/jobs/{id}/run-now", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.True(DateTimeOffset.Parse(ran.Str("runAt"), System.Globalization.CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow.AddMinutes(1));
        var again = await (await client.PostAsync($"/api/jobs/{id}/run-now", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("due already", again.Str("detail"), StringComparison.Ordinal);
        await (await client.PostAsync("/api/jobs/987654321/run-now", null)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Cancel_retry_and_delete_follow_the_job_life_and_answer_409_when_the_status_forbids()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var id = await EnqueueAsync(client, queue);

        var retryPending = await (await client.PostAsync($"/api/jobs/{id}/retry", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("pending", retryPending.Str("detail"), StringComparison.Ordinal);

        var cancelled = await (await client.PostAsync($"/api/jobs/{id}/cancel", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.Str("status"));
        await (await client.PostAsync($"/api/jobs/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);

        var retried = await (await client.PostAsync($"/api/jobs/{id}/retry", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", retried.Str("status"));

        await (await client.PostAsync($"/api/jobs/process?queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
        var finished = await (await client.PostAsync($"/api/jobs/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("completed", finished.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("completed", (await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));

        await (await client.DeleteAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/api/jobs/{id}")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_filters_by_queue_status_and_type_and_pages_with_a_cursor()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add(await EnqueueAsync(client, queue));
        await (await client.PostAsync($"/api/jobs/{ids[0]}/cancel", null)).ExpectAsync(HttpStatusCode.OK);

        var seen = new List<long>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync($"/api/jobs?queue={queue}&type=webhook&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}")).ExpectAsync(HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(j => j.Long("id")));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(ids.OrderDescending().ToList(), seen);

        var pending = await (await client.GetAsync($"/api/jobs?queue={queue}&status=pending")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(ids.Skip(1).OrderDescending().ToList(), pending.GetProperty("items").EnumerateArray().Select(j => j.Long("id")).ToList());
        var none = await (await client.GetAsync($"/api/jobs?queue={queue}&type=other")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(none.GetProperty("items").EnumerateArray());

        await (await client.GetAsync("/api/jobs?status=bogus")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/jobs?limit=0")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.GetAsync("/api/jobs?cursor=xyz")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsync($"/api/jobs/process?queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Stats_count_by_status_type_and_queue()
    {
        // Its own database, so that every count is exact (the class's shared service holds other tests' jobs).
        await using var service = await LeoraService.StartAsync(_service.Provider);
        using var client = service.WithKey();
        var queue = NewQueue();
        for (var i = 0; i < 2; i++) await EnqueueAsync(client, queue);

        var stats = await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["pending", "processing", "completed", "failed", "cancelled", "waiting"], stats.GetProperty("byStatus").EnumerateObject().Select(p => p.Name).ToList());
        Assert.Equal(2, stats.GetProperty("byQueue").GetProperty(queue).Long("pending"));
        Assert.Equal(2, stats.GetProperty("byType").GetProperty("webhook").Long("pending"));
        Assert.Equal(2, stats.GetProperty("byStatus").Long("pending"));
        Assert.Equal(0, stats.GetProperty("byStatus").Long("completed"));
        Assert.Equal(2, stats.Long("duePending"));
        Assert.NotEqual(JsonValueKind.Null, stats.GetProperty("oldestDuePendingAgeSeconds").ValueKind);
        var completedBefore = stats.Long("completedLastMinute");
        Assert.Equal(0, completedBefore);

        await (await client.PostAsync($"/api/jobs/process?queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
        stats = await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
        Assert.False(stats.GetProperty("byQueue").TryGetProperty(queue, out _));
        Assert.Equal(completedBefore + 2, stats.Long("completedLastMinute"));
        Assert.Equal(2, stats.Long("completedLastHour"));
        Assert.Equal(2, stats.GetProperty("byStatus").Long("completed"));
        Assert.Equal(0, stats.GetProperty("byStatus").Long("pending"));
        Assert.Equal(0, stats.Long("duePending"));
    }

    [Fact]
    public async Task Cleanup_deletes_finished_jobs_older_than_the_given_days_and_refuses_a_bad_age()
    {
        // Its own database, so that the number deleted is exact (the class's shared service holds other tests' jobs).
        await using var service = await LeoraService.StartAsync(_service.Provider);
        using var client = service.WithKey();
        var queue = NewQueue();
        var done = await EnqueueAsync(client, queue);
        await (await client.PostAsync($"/api/jobs/process?queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);
        var waiting = await EnqueueAsync(client, queue);

        var kept = await (await client.PostAsync("/api/jobs/cleanup?olderThanDays=1", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, kept.GetProperty("olderThanDays").GetDouble());
        await (await client.GetAsync($"/api/jobs/{done}")).ExpectAsync(HttpStatusCode.OK);

        await (await client.PostAsync("/api/jobs/cleanup?olderThanDays=-1", null)).ProblemAsync(HttpStatusCode.BadRequest);

        var cleaned = await (await client.PostAsync("/api/jobs/cleanup?olderThanDays=0", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, cleaned.Long("deleted"));
        await (await client.GetAsync($"/api/jobs/{done}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("pending", (await (await client.GetAsync($"/api/jobs/{waiting}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        await (await client.DeleteAsync($"/api/jobs/{waiting}")).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_exactly_the_mapped_routes()
    {
        using var anonymous = _service.Anonymous();
        var document = await (await anonymous.GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();

        var mapped = _service.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                $"{m} /{System.Text.RegularExpressions.Regex.Replace(e.RoutePattern.RawText!.Trim('/'), @":\w+\}", "}")}".TrimEnd('/')))
            .Order(StringComparer.Ordinal).ToList();

        string[] expected =
        [
            "DELETE /api/jobs/{id}", "GET /api/jobs", "GET /api/jobs/process", "GET /api/jobs/process/cron", "GET /api/jobs/stats",
            "GET /api/jobs/{id}", "GET /health/live", "GET /health/ready", "POST /api/jobs", "POST /api/jobs/cleanup",
            "POST /api/jobs/process", "POST /api/jobs/{id}/cancel", "POST /api/jobs/{id}/retry",
            "GET /api/jobs/schedules", "POST /api/jobs/schedules", "GET /api/jobs/schedules/{name}", "PUT /api/jobs/schedules/{name}",
            "DELETE /api/jobs/schedules/{name}", "POST /api/jobs/schedules/{name}/enable", "POST /api/jobs/schedules/{name}/disable",
            "POST /api/jobs/schedules/{name}/trigger", "POST /api/jobs/bulk", "POST /api/jobs/actions", "POST /api/jobs/{id}/run-now",
        ];
        // Every job and health route is documented; other modules the service mounts (the CRM API) may add more,
        // and the document must still match the mapped endpoints exactly.
        Assert.Subset(documented.ToHashSet(), expected.ToHashSet());
        Assert.Equal(documented, mapped);

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("x-api-key", schemes.GetProperty("apiKey").Str("name"));
        Assert.Equal("bearer", schemes.GetProperty("bearer").Str("scheme"));
        Assert.Equal(2, document.GetProperty("paths").GetProperty("/api/jobs/stats").GetProperty("get").GetProperty("security").GetArrayLength());
        // Health is anonymous, and says so: an empty security list.
        Assert.Equal(0, document.GetProperty("paths").GetProperty("/health/live").GetProperty("get").GetProperty("security").GetArrayLength());

        var enqueue = document.GetProperty("paths").GetProperty("/api/jobs").GetProperty("post");
        Assert.True(enqueue.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        foreach (var status in new[] { "201", "200", "400", "401", "413", "415" })
            Assert.True(enqueue.GetProperty("responses").TryGetProperty(status, out _), $"POST /api/jobs documents no {status}");
    }

    [Fact]
    public async Task The_API_page_is_served_with_its_script_from_the_service_itself()
    {
        using var anonymous = _service.Anonymous();
        var page = await anonymous.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("scalar.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.Ordinal);
        var script = await anonymous.GetAsync("/scalar/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }
}
