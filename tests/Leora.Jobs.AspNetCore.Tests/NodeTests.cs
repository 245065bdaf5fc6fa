using System.Net;
using System.Text.Json;
using Leora.Jobs.Storage;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// Worker nodes in <c>GET /api/jobs/stats</c> and the worker's outage in <c>GET /health/ready</c>, through the real service
/// with its built-in worker on (one service per test: each needs its own nodes table and worker), once per store.
/// </summary>
public abstract class NodeTests(string provider, ReceiverFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    // Short heartbeats so that silence shows within a second; a leader's lease long enough that a silent node stays
    // listed for a few seconds before the leader deletes it (after max(lease, 5 heartbeats)).
    private Task<LeoraService> StartWithWorkerAsync(string node) => LeoraService.StartAsync(provider,
    [
        "--Jobs:Worker:Enabled=true", $"--Jobs:WorkerName={node}", "--Jobs:Worker:Concurrency=2",
        "--Jobs:Worker:NodeHeartbeatInterval=200ms", "--Jobs:Worker:LeaderLease=5s", "--Jobs:Worker:PollInterval=100ms",
    ]);

    private static async Task<JsonElement> StatsAsync(HttpClient client) =>
        await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);

    private static JsonElement? Node(JsonElement stats, string name) =>
        stats.GetProperty("nodes").EnumerateArray().Where(n => n.Str("name") == name).Select(n => (JsonElement?)n).FirstOrDefault();

    [Fact]
    public async Task Stats_list_the_running_worker_node_with_its_leader_flag_and_running_count()
    {
        var node = NewName("node-");
        await using var service = await StartWithWorkerAsync(node);
        using var client = service.WithKey();
        var queue = NewName("q");
        var hold = _receiver.Hold(queue);
        var job = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url($"/hold?tag={queue}"), method = "POST" },
            queue,
        })).ExpectAsync(HttpStatusCode.Created);

        var running = await Eventually.WaitAsync(async () => Node(await StatsAsync(client), node),
            // Not silent either: on a busy machine a heartbeat can come late, and the next one clears the mark.
            n => n is { } e && e.GetProperty("leader").GetBoolean() && e.Int("running") == 1 && !e.GetProperty("silent").GetBoolean(), Timeout,
            "the worker's node to be listed as leader, running the held job, heartbeating");
        var listed = running!.Value;
        Assert.Equal(2, listed.Int("concurrency"));
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("queues").ValueKind);
        Assert.True(listed.GetProperty("startedAt").GetDateTimeOffset() <= listed.GetProperty("heartbeatAt").GetDateTimeOffset());
        Assert.InRange(listed.GetProperty("heartbeatAgeSeconds").GetDouble(), 0, 30);

        hold.SetResult();
        await Eventually.WaitAsync(async () => (await (await client.GetAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.OK)).Str("status"),
            s => s == "completed", Timeout, "the held job to complete");
        await Eventually.WaitAsync(async () => Node(await StatsAsync(client), node),
            n => n is { } e && e.Int("running") == 0, Timeout, "the node's next heartbeat to report no running job");
    }

    [Fact]
    public async Task A_node_that_stops_heartbeating_is_listed_as_silent_then_dropped_by_the_leader()
    {
        var node = NewName("node-");
        await using var service = await StartWithWorkerAsync(node);
        using var client = service.WithKey();
        // The live worker registers with its first heartbeat, which may come after the host has started.
        await Eventually.WaitAsync(async () => Node(await StatsAsync(client), node), n => n is not null, Timeout,
            "the live worker's node to register");
        // Another node's last heartbeat, written by the statement every worker uses, after which that node goes quiet
        // (as a killed process does: a worker stopped gracefully deletes its own row).
        var gone = NewName("gone-");
        await service.App.Services.GetRequiredService<IJobStore>().NodeHeartbeatAsync(new NodeHeartbeatParams(gone, "mail,reports", 3, 1), CancellationToken.None);

        // The live worker keeps heartbeating, so it is listed and not silent in the same answer (waited for: on a busy
        // machine one of its heartbeats can come late, and the next one clears the mark).
        var silent = await Eventually.WaitAsync(async () => await StatsAsync(client),
            s => Node(s, gone) is { } e && e.GetProperty("silent").GetBoolean() && Node(s, node) is { } live && !live.GetProperty("silent").GetBoolean(),
            Timeout, "the quiet node to be marked silent while the live one is not");
        var quiet = Node(silent, gone)!.Value;
        Assert.Equal(["mail", "reports"], quiet.GetProperty("queues").EnumerateArray().Select(q => q.GetString()!).ToArray());
        Assert.Equal(3, quiet.Int("concurrency"));
        Assert.Equal(1, quiet.Int("running"));
        Assert.False(quiet.GetProperty("leader").GetBoolean());
        // Silent means "more than three heartbeats (3 × 200 ms) old"; the age is rounded to the millisecond, so an age just
        // past 0.6 s reads as 0.6.
        Assert.True(quiet.GetProperty("heartbeatAgeSeconds").GetDouble() >= 0.6, quiet.ToString());

        await Eventually.WaitAsync(async () => Node(await StatsAsync(client), gone) is null, Timeout,
            "the leader to delete the silent node after its lease time");
        Assert.NotNull(Node(await StatsAsync(client), node));
    }

    [Fact]
    public async Task Readiness_reports_the_workers_database_outage_and_recovers()
    {
        var node = NewName("node-");
        await using var service = await StartWithWorkerAsync(node);
        using var anonymous = service.Anonymous();
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);

        // The jobs table disappears under the worker: every claim fails, while the migrations table that the readiness
        // check reads still answers. Readiness must fail on the worker's word alone.
        await service.ExecuteSqlAsync("ALTER TABLE leora_jobs RENAME TO leora_jobs_away", "ALTER TABLE {schema}.jobs RENAME TO jobs_away");
        try
        {
            var problem = await Eventually.WaitAsync(async () =>
                {
                    var r = await anonymous.GetAsync("/health/ready");
                    return (r.StatusCode, Body: await r.JsonAsync(), Type: r.Content.Headers.ContentType?.MediaType);
                },
                r => r.StatusCode == HttpStatusCode.ServiceUnavailable, Timeout, "readiness to report the worker's outage");
            Assert.Equal("application/problem+json", problem.Type);
            Assert.Equal(503, problem.Body.Int("status"));
            Assert.Contains("job worker in this process cannot reach the", problem.Body.Str("detail"), StringComparison.Ordinal);
            Assert.DoesNotContain(node, problem.Body.Str("detail"), StringComparison.Ordinal);
            Assert.Equal("unavailable", problem.Body.GetProperty("checks").Str("worker"));
            Assert.Equal("ok", problem.Body.GetProperty("checks").Str("database"));
        }
        finally
        {
            await service.ExecuteSqlAsync("ALTER TABLE leora_jobs_away RENAME TO leora_jobs", "ALTER TABLE {schema}.jobs_away RENAME TO jobs");
        }

        var ready = await Eventually.WaitAsync(async () =>
            {
                var r = await anonymous.GetAsync("/health/ready");
                return (r.StatusCode, Body: await r.JsonAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK, Timeout, "readiness to recover once the worker claims again");
        Assert.Equal("ready", ready.Body.Str("status"));
    }
}

/// <summary>A real PostgreSQL outage, as the service sees it: the line to the server is cut, then restored.</summary>
public sealed class PostgreSqlOutageTests
{
    [Fact]
    public async Task Readiness_is_503_naming_the_database_and_the_worker_while_PostgreSQL_is_unreachable_and_200_after()
    {
        var direct = new Npgsql.NpgsqlConnectionStringBuilder(TestPostgres.Require());
        await using var proxy = new TcpProxy(direct.Host!, direct.Port);
        var relayed = new Npgsql.NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };
        await using var service = await LeoraService.StartAsync("postgresql",
            ["--Jobs:Worker:Enabled=true", "--Jobs:Worker:PollInterval=100ms", "--Jobs:Worker:NodeHeartbeatInterval=200ms", "--Jobs:Worker:LeaderLease=5s"],
            postgresConnectionString: relayed.ConnectionString);
        using var anonymous = service.Anonymous();
        await (await anonymous.GetAsync("/health/ready")).ExpectAsync(HttpStatusCode.OK);

        proxy.Cut();
        var problem = await Eventually.WaitAsync(async () =>
            {
                var r = await anonymous.GetAsync("/health/ready");
                return (r.StatusCode, Body: await r.JsonAsync());
            },
            r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.Body.GetProperty("checks").Str("worker") == "unavailable",
            TimeSpan.FromSeconds(60), "readiness to report the database and the worker down");
        Assert.Equal("unreachable", problem.Body.GetProperty("checks").Str("database"));
        var detail = problem.Body.Str("detail");
        Assert.Contains("The postgresql database is not reachable.", detail, StringComparison.Ordinal);
        Assert.Contains("job worker in this process cannot reach the postgresql database", detail, StringComparison.Ordinal);

        proxy.Restore();
        var ready = await Eventually.WaitAsync(async () =>
            {
                var r = await anonymous.GetAsync("/health/ready");
                return (r.StatusCode, Body: await r.JsonAsync());
            },
            r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "readiness to recover once PostgreSQL is reachable and the worker claims again");
        Assert.Equal("ready", ready.Body.Str("status"));
    }
}

/// <summary>One webhook receiver per test class.</summary>
public sealed class ReceiverFixture : IAsyncLifetime
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        if (Receiver is not null) await Receiver.DisposeAsync();
    }
}

public sealed class SqliteNodeTests(ReceiverFixture fixture) : NodeTests("sqlite", fixture), IClassFixture<ReceiverFixture>;

public sealed class PostgreSqlNodeTests(ReceiverFixture fixture) : NodeTests("postgresql", fixture), IClassFixture<ReceiverFixture>;
