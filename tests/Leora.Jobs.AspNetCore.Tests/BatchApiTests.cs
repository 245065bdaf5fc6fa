using System.Net;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// Workflows over HTTP (docs/workflows.md): <c>POST /api/batches</c>, <c>GET /api/batches/{id}</c>,
/// <c>POST /api/batches/{id}/cancel</c>, and <c>dependsOn</c> on <c>POST /api/jobs</c>. Run per store; the service's worker is
/// off, so every job stays as enqueued.
/// </summary>
public abstract class BatchApiTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    private object Webhook(int n, string? reference = null, string[]? dependsOn = null, long[]? dependsOnJobs = null) => new
    {
        type = "webhook",
        payload = new { url = _receiver.Url($"/ok?n={n}") },
        queue = "batches",
        @ref = reference,
        dependsOn,
        dependsOnJobs,
    };

    [Fact]
    public async Task A_batch_is_created_read_and_cancelled()
    {
        using var client = _service.WithKey();
        var response = await client.PostJsonAsync("/api/batches", new
        {
            description = "nightly import",
            jobs = new[] { Webhook(1, "a"), Webhook(2, "b", ["a"]) },
            onComplete = Webhook(3),
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.JsonAsync();
        var id = created.Long("id");
        Assert.EndsWith($"/api/batches/{id}", response.Headers.Location!.ToString());
        Assert.Equal((2, 2, "nightly import"), (created.Int("total"), created.Int("pending"), created.Str("description")));
        var ids = created.GetProperty("jobIds").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(2, ids.Length);
        Assert.Equal("pending", (await (await client.GetAsync($"/api/jobs/{ids[0]}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        Assert.Equal("waiting", (await (await client.GetAsync($"/api/jobs/{ids[1]}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        var callback = created.Long("onCompleteJobId");
        Assert.Equal("waiting", (await (await client.GetAsync($"/api/jobs/{callback}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));

        var read = await (await client.GetAsync($"/api/batches/{id}")).ExpectAsync(HttpStatusCode.OK);
        Assert.False(read.GetProperty("finished").GetBoolean());

        var cancelled = await (await client.PostAsync($"/api/batches/{id}/cancel", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal((0, 2), (cancelled.Int("pending"), cancelled.Int("cancelled")));
        Assert.Equal("cancelled", (await (await client.GetAsync($"/api/jobs/{callback}")).ExpectAsync(HttpStatusCode.OK)).Str("status"));
        var again = await (await client.PostAsync($"/api/batches/{id}/cancel", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains($"Batch {id}", again.Str("detail"));
        var missing = await (await client.GetAsync("/api/batches/987654321")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("There is no batch 987654321.", missing.Str("detail"));
    }

    [Fact]
    public async Task A_cycle_an_unknown_reference_or_parent_is_refused_with_400_naming_it()
    {
        using var client = _service.WithKey();
        var cycle = await (await client.PostJsonAsync("/api/batches", new { jobs = new[] { Webhook(1, "a", ["b"]), Webhook(2, "b", ["a"]) } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("cycle", cycle.Str("detail"));
        Assert.True(cycle.GetProperty("errors").TryGetProperty("dependsOn", out _));
        var unknown = await (await client.PostJsonAsync("/api/batches", new { jobs = new[] { Webhook(1, dependsOnJobs: [987654321]) } }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("987654321", unknown.Str("detail"));
        var empty = await (await client.PostJsonAsync("/api/batches", new { jobs = Array.Empty<object>() })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("A batch needs at least one job.", empty.Str("detail"));
    }

    [Fact]
    public async Task A_job_enqueued_with_dependsOn_waits_and_bad_parents_or_policies_are_refused()
    {
        using var client = _service.WithKey();
        var parent = (await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { url = _receiver.Url("/ok?n=1") }, queue = "batches" }))
            .ExpectAsync(HttpStatusCode.Created)).Long("id");
        var child = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url("/ok?n=2") },
            queue = "batches",
            dependsOn = new[] { parent },
            onParentFailure = "run_anyway",
        })).ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("waiting", child.Str("status"));
        var unknown = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url("/ok?n=3") },
            dependsOn = new[] { 987654321L },
        })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(unknown.GetProperty("errors").TryGetProperty("dependsOn", out _));
        var policy = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url("/ok?n=4") },
            dependsOn = new[] { parent },
            onParentFailure = "sometimes",
        })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.DoesNotContain("Leora.Jobs", policy.Str("detail"));
        // The bulk enqueue refuses an unknown parent as a whole, naming it.
        var bulk = await (await client.PostJsonAsync("/api/jobs/bulk", new
        {
            jobs = new[] { new { type = "webhook", payload = new { url = _receiver.Url("/ok?n=5") }, dependsOn = new[] { 987654321L } } },
        })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("987654321", bulk.Str("detail"));
    }
}

public sealed class SqliteBatchApiTests(SqliteServiceFixture fixture) : BatchApiTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlBatchApiTests(PostgreSqlServiceFixture fixture) : BatchApiTests(fixture), IClassFixture<PostgreSqlServiceFixture>;
