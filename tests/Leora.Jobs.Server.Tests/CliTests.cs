using System.Text.Json;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>The real leora-jobs executable against a temporary SQLite database (and once against PostgreSQL).</summary>
public sealed class CliTests : CliTestBase
{
    private async Task<long> EnqueueAsync(string path = "/ok", params string[] extra)
    {
        var r = await RunAsync(["enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl(path)}}","body":"hi"}""", "--json", .. extra]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("id").GetInt64();
    }

    public static TheoryData<string> Verbs => new() { "serve", "work", "process", "enqueue", "status", "list", "cancel", "retry", "delete", "cleanup", "stats", "schedules", "pause", "resume", "pauses", "batches", "migrate", "backup" };

    [Fact]
    public async Task Help_lists_every_command()
    {
        var r = await RunAsync("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var verb in Verbs) Assert.Contains(verb, r.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Db.Path_), "help must not create the database");
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_command_has_help(string verb)
    {
        var r = await RunAsync(verb, "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Usage:", r.Out, StringComparison.Ordinal);
        Assert.Contains(verb, r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_creates_the_database_and_reports_its_version()
    {
        var r = await RunAsync("migrate");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(Db.Path_, r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Db.Path_));
        var json = Json(await RunAsync("migrate", "--json"));
        Assert.Equal("sqlite", json.GetProperty("provider").GetString());
        Assert.Equal(json.GetProperty("latestVersion").GetInt32(), json.GetProperty("schemaVersion").GetInt32());
    }

    [Fact]
    public async Task Enqueue_status_and_list_show_the_job_as_a_table_and_as_json()
    {
        var text = await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--priority", "5", "--queue", "mail", "--delay", "10m");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"Enqueued job 1 \(webhook, queue mail", text.Out);

        var status = await RunAsync("status", "1");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"status\s+pending", status.Out);
        Assert.Matches(@"priority\s+5", status.Out);

        var job = Json(await RunAsync("status", "1", "--json"));
        Assert.Equal("mail", job.GetProperty("queue").GetString());
        Assert.True(job.GetProperty("runAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(9));

        var list = await RunAsync("list", "--status", "pending");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"ID\s+TYPE\s+QUEUE\s+STATUS", list.Out);
        Assert.Matches(@"1\s+webhook\s+mail\s+pending", list.Out);
        var items = Json(await RunAsync("list", "--json", "--queue", "mail")).GetProperty("items");
        Assert.Equal(1, items.GetArrayLength());

        var again = Json(await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--idempotency-key", "k1", "--json"));
        var repeat = await RunAsync("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--idempotency-key", "k1");
        Assert.Contains($"Job {again.GetProperty("id").GetInt64()} already exists", repeat.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enqueue_takes_a_concurrency_key_and_stats_show_the_configured_limits()
    {
        var env = Env;
        env["Jobs__Limits__Types__webhook__Concurrency"] = "3";
        env["Jobs__Limits__Queues__mail__Rate"] = "50";
        var job = Json(await LeoraJobsAsync(Db.Directory, env, ["enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""",
            "--concurrency-key", "account-42", "--delay", "10m", "--json"]));
        Assert.Equal("account-42", job.GetProperty("concurrencyKey").GetString());
        var status = await RunAsync("status", job.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Matches(@"concurrency key\s+account-42", status.Out);

        var stats = await RunAsync("stats");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Matches(@"type\s+webhook\s+-\s+0 / 3", stats.Out);
        Assert.Matches(@"queue\s+mail\s+0 / 50 per 1m", stats.Out);
        var limits = Json(await RunAsync("stats", "--json")).GetProperty("limits");
        Assert.Equal(2, limits.GetArrayLength());
    }

    [Fact]
    public async Task Bad_input_exits_2_with_a_message_and_writes_nothing()
    {
        var unknown = await RunAsync("enqueue", "nope", "--payload", "{}");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Unknown job type 'nope'", unknown.Err, StringComparison.Ordinal);
        Assert.Contains("webhook", unknown.Err, StringComparison.Ordinal);

        var badPayload = await RunAsync("enqueue", "webhook", "--payload", """{"url":"ftp://x"}""");
        Assert.Equal(2, badPayload.ExitCode);
        Assert.Contains("payload.url", badPayload.Err, StringComparison.Ordinal);

        var notJson = await RunAsync("enqueue", "webhook", "--payload", "{url:");
        Assert.Equal(2, notJson.ExitCode);
        Assert.Contains("not valid JSON", notJson.Err, StringComparison.Ordinal);

        var missing = await RunAsync("enqueue", "webhook");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--payload", missing.Err, StringComparison.Ordinal);

        Assert.Equal(2, (await RunAsync("process", "--max-jobs", "0")).ExitCode);
        Assert.Equal(2, (await RunAsync("list", "--status", "bogus")).ExitCode);
        Assert.Equal(2, (await RunAsync("cleanup", "--older-than", "soon")).ExitCode);
        Assert.Equal(2, (await RunAsync("status", "abc")).ExitCode);
        var typo = await RunAsync("stauts", "1");
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("stauts", typo.Err, StringComparison.Ordinal);

        Assert.Equal(0, Json(await RunAsync("list", "--json")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_ids_exit_3_and_forbidden_transitions_exit_4()
    {
        // These verbs find the database as it is (they create nothing): migrate it first.
        Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
        Assert.Equal(3, (await RunAsync("status", "999")).ExitCode);
        Assert.Equal(3, (await RunAsync("cancel", "999")).ExitCode);
        Assert.Equal(3, (await RunAsync("retry", "999")).ExitCode);
        Assert.Equal(3, (await RunAsync("delete", "999")).ExitCode);

        var id = await EnqueueAsync();
        var retryPending = await RunAsync("retry", $"{id}");
        Assert.Equal(4, retryPending.ExitCode);
        Assert.Contains("pending", retryPending.Err, StringComparison.Ordinal);
        var cancel = await RunAsync("cancel", $"{id}");
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains($"Cancelled job {id}", cancel.Out, StringComparison.Ordinal);
        Assert.Equal(4, (await RunAsync("cancel", $"{id}")).ExitCode);
        Assert.Equal("pending", Json(await RunAsync("retry", $"{id}", "--json")).GetProperty("status").GetString());
        Assert.Equal(0, (await RunAsync("delete", $"{id}")).ExitCode);
        Assert.Equal(3, (await RunAsync("status", $"{id}")).ExitCode);
    }

    [Fact]
    public async Task Process_runs_one_batch_of_at_most_max_jobs_then_exits()
    {
        for (var i = 0; i < 3; i++) await EnqueueAsync();
        var r = await RunAsync("process", "--max-jobs", "2", "--max-seconds", "60");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Processed 2 job(s)", r.Out, StringComparison.Ordinal);
        Assert.Matches(@"ID\s+TYPE\s+OUTCOME", r.Out);
        Assert.Equal(2, Receiver.Requests.Count);

        var rest = Json(await RunAsync("process", "--json"));
        Assert.Equal(1, rest.GetProperty("processed").GetInt32());
        Assert.Equal(1, rest.GetProperty("succeeded").GetInt32());
        Assert.Equal(3, Receiver.Requests.Count);
        Assert.All(Receiver.Requests, req => Assert.Equal("hi", req.Body));

        var empty = Json(await RunAsync("process", "--json"));
        Assert.Equal(0, empty.GetProperty("processed").GetInt32());

        await EnqueueAsync("/gone");
        var failing = await RunAsync("process", "--fail-on-error");
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("1 failed", failing.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_and_cleanup_report_counts()
    {
        await EnqueueAsync();
        await EnqueueAsync();
        Assert.Equal(0, (await RunAsync("process")).ExitCode);
        await EnqueueAsync();

        var stats = await RunAsync("stats");
        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Matches(@"completed\s+2", stats.Out);
        var json = Json(await RunAsync("stats", "--json"));
        Assert.Equal(1, json.GetProperty("byStatus").GetProperty("pending").GetInt64());
        Assert.Equal(2, json.GetProperty("completedLastHour").GetInt64());

        var keep = await RunAsync("cleanup", "--older-than", "30d");
        Assert.Contains("Deleted 0 finished job(s) older than 30d", keep.Out, StringComparison.Ordinal);
        var cleaned = Json(await RunAsync("cleanup", "--older-than", "0s", "--json"));
        Assert.Equal(2, cleaned.GetProperty("deleted").GetInt64());
        Assert.Equal(1, Json(await RunAsync("list", "--json")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Stats_list_a_running_worker_node_as_a_table_and_as_json()
    {
        Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
        var none = await RunAsync("stats");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("No worker node is registered", none.Out, StringComparison.Ordinal);
        Assert.Empty(Json(await RunAsync("stats", "--json")).GetProperty("nodes").EnumerateArray());

        // A real `leora-jobs work` process on the same file: its node heartbeats into the nodes table and takes the leader's lease.
        var node = "cli-node-" + Guid.NewGuid().ToString("N")[..8];
        var env = new Dictionary<string, string?>(Env)
        {
            ["Jobs__WorkerName"] = node,
            ["Jobs__Worker__Queues__mail"] = "2",
            ["Jobs__Worker__Queues__reports"] = "1",
            ["Jobs__Worker__NodeHeartbeatInterval"] = "1s",
            ["Jobs__Worker__LeaderLease"] = "5s",
        };
        using var worker = new System.Diagnostics.Process { StartInfo = Start("dotnet", [LeoraJobsDll, "work"], Db.Directory, env) };
        var output = new System.Text.StringBuilder();
        worker.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        worker.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        worker.Start();
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            var listed = await Eventually.WaitAsync(
                async () => Json(await RunAsync("stats", "--json")).GetProperty("nodes").EnumerateArray()
                    .FirstOrDefault(n => n.GetProperty("name").GetString() == node && n.GetProperty("leader").GetBoolean()),
                n => n.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(60), "the worker's node to be listed as leader");
            Assert.Equal(["mail", "reports"], listed.GetProperty("queues").EnumerateArray().Select(q => q.GetString()!).ToArray());
            Assert.Equal(3, listed.GetProperty("concurrency").GetInt32());
            Assert.Equal(0, listed.GetProperty("running").GetInt32());
            Assert.False(listed.GetProperty("silent").GetBoolean());

            var table = await RunAsync("stats");
            Assert.True(table.ExitCode == 0, table.ToString());
            Assert.Matches(@"NODE\s+QUEUES\s+CONCURRENCY\s+RUNNING\s+STARTED\s+LAST HEARTBEAT\s+ROLE\s+STATE", table.Out);
            Assert.Matches($@"{node}\s+mail,reports\s+3\s+0\s+\S+ \S+\s+\d+(\.\d+)?s ago\s+leader\s+alive", table.Out);
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- worker output\n{output}", ex);
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Bad_configuration_exits_5_with_a_message_naming_the_setting()
    {
        var provider = await RunAsync("stats", "--provider", "mysql");
        Assert.Equal(5, provider.ExitCode);
        Assert.Contains("Jobs:Provider 'mysql' is not supported", provider.Err, StringComparison.Ordinal);

        var serve = await RunAsync("serve", "--provider", "mysql", "--urls", "http://127.0.0.1:0");
        Assert.Equal(5, serve.ExitCode);
        Assert.Contains("Jobs:Provider 'mysql' is not supported", serve.Err, StringComparison.Ordinal);

        var viaConfig = await RunAsync("stats", "--Jobs:Provider=oracle");
        Assert.Equal(5, viaConfig.ExitCode);
        Assert.Contains("'oracle'", viaConfig.Err, StringComparison.Ordinal);

        var noConnection = await LeoraJobsAsync(Db.Directory, new Dictionary<string, string?> { ["Jobs__Provider"] = "postgresql" }, "stats");
        Assert.Equal(5, noConnection.ExitCode);
        Assert.Contains("ConnectionStrings:Jobs is not set", noConnection.Err, StringComparison.Ordinal);

        var garbage = await RunAsync("stats", "-c", "this is not a connection string");
        Assert.Equal(5, garbage.ExitCode);
        Assert.Contains("ConnectionStrings:Jobs", garbage.Err, StringComparison.Ordinal);

        var unreachable = await RunAsync("stats", "--provider", "postgresql", "-c", "Host=127.0.0.1;Port=1;Username=x;Password=secret-pw;Timeout=3");
        Assert.Equal(5, unreachable.ExitCode);
        Assert.Contains("database", unreachable.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", unreachable.Err, StringComparison.Ordinal);

        var lease = await RunAsync("stats", "--Jobs:Lease=forever");
        Assert.Equal(5, lease.ExitCode);
        Assert.Contains("Jobs:Lease", lease.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_commands_run_against_PostgreSQL_by_configuration_only()
    {
        await using var database = TestDatabase.Create("postgresql", "cli");
        var pg = database.ServerEnvironment().ToDictionary(p => p.Key, p => (string?)p.Value);
        pg["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1";

        var migrate = await LeoraJobsAsync(Db.Directory, pg, "migrate");
        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        Assert.Contains($"PostgreSQL database", migrate.Out, StringComparison.Ordinal);
        Assert.Contains(database.Schema!, migrate.Out, StringComparison.Ordinal);
        var enqueued = Json(await LeoraJobsAsync(Db.Directory, pg, "enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--json"));
        var batch = Json(await LeoraJobsAsync(Db.Directory, pg, "process", "--json"));
        Assert.Equal(1, batch.GetProperty("succeeded").GetInt32());
        var job = Json(await LeoraJobsAsync(Db.Directory, pg, "status", $"{enqueued.GetProperty("id").GetInt64()}", "--json"));
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.False(File.Exists(Db.Path_), "the PostgreSQL run must not touch SQLite");
    }
}
