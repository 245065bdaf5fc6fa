using System.Globalization;
using System.Text.Json;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The <c>batches</c> verbs and <c>enqueue --depends-on/--batch</c> of the real leora-jobs executable (issue 14), on SQLite
/// and PostgreSQL: a batch created from a JSON file (the body of <c>POST /api/batches</c>), shown and paged while it runs,
/// joined by an enqueued job, run by <c>process</c> to its callback, and cancelled; an unknown batch is exit 3, a finished
/// one exit 4, bad input exit 2 with nothing written.
/// </summary>
public sealed class BatchCliTests : CliTestBase
{
    private static string S(long id) => id.ToString(CultureInfo.InvariantCulture);

    private async Task<(Func<string[], Task<Result>> Run, IAsyncDisposable? Database)> StoreAsync(string provider)
    {
        if (provider == "sqlite")
        {
            Assert.Equal(0, (await RunAsync("migrate")).ExitCode);
            return (args => RunAsync(args), null);
        }
        var database = TestDatabase.Create(provider, "clibatch");
        var env = new Dictionary<string, string?>(database.ServerEnvironment().ToDictionary(p => p.Key, p => (string?)p.Value))
        {
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        };
        Task<Result> Run(string[] args) => LeoraJobsAsync(Db.Directory, env, args);
        Assert.Equal(0, (await Run(["migrate"])).ExitCode);
        return (Run, database);
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(Db.Directory, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    // A webhook job of a batch file: {"type":"webhook","payload":{"url":"…"}}. Without its last brace ([..^1]) more fields follow.
    private string Hook(string path) => "{\"type\":\"webhook\",\"payload\":{\"url\":\"" + Receiver.IpUrl(path) + "\"}}";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_from_a_file_runs_to_its_callback_and_a_running_one_is_cancelled(string provider)
    {
        var (run, database) = await StoreAsync(provider);
        await using var _ = database;
        Task<Result> Run(params string[] args) => run(args);

        var file = File("batch.json", $$"""
            {
              "description": "import 42",
              "jobs": [
                {{Hook("/ok?a")[..^1]}}, "ref": "a" },
                {{Hook("/ok?b")}},
                {{Hook("/ok?c")[..^1]}}, "dependsOn": ["a"] }
              ],
              "onComplete": {{Hook("/ok?done")}},
              "onFailure": {{Hook("/ok?failed")}}
            }
            """);
        var created = Json(await Run("batches", "create", "--file", file, "--json"));
        var batch = created.GetProperty("id").GetInt64();
        var jobIds = created.GetProperty("jobIds").EnumerateArray().Select(j => j.GetInt64()).ToList();
        Assert.Equal(3, jobIds.Count);
        Assert.Equal("import 42", created.GetProperty("description").GetString());
        Assert.Equal(3, created.GetProperty("total").GetInt32());
        var onComplete = created.GetProperty("onCompleteJobId").GetInt64();
        var onFailure = created.GetProperty("onFailureJobId").GetInt64();

        var text = await Run("batches", "create", "--file", File("one.json", $$"""{ "jobs": [ {{Hook("/ok?one")}} ], "onComplete": {{Hook("/ok?one-done")}} }"""));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"^Created batch \d+ with 1 job\(s\) \(job \d+\); callbacks: on complete job \d+\.$", text.Out.Trim());

        // A job joins the running batch and waits for its first job.
        var joined = Json(await Run("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok?joined")}}"}""",
            "--batch", S(batch), "--depends-on", S(jobIds[0]), "--json"));
        Assert.Equal("waiting", joined.GetProperty("status").GetString());
        var waitingLine = await Run("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok?second")}}"}""", "--depends-on", $"{S(jobIds[0])},{S(jobIds[1])}");
        Assert.True(waitingLine.ExitCode == 0, waitingLine.ToString());
        Assert.Contains($"waiting for job(s) {S(jobIds[0])}, {S(jobIds[1])}", waitingLine.Out, StringComparison.Ordinal);

        var running = await Run("batches", "show", S(batch), "--jobs");
        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Matches(@"state\s+running", running.Out);
        Assert.Matches(@"total\s+4", running.Out);
        Assert.Matches($@"on complete\s+{onComplete}\s+webhook\s+waiting", running.Out);
        Assert.Matches($@"{jobIds[2]}\s+webhook\s+default\s+waiting", running.Out);
        var page = Json(await Run("batches", "jobs", S(batch), "--limit", "2", "--json"));
        Assert.Equal([jobIds[0], jobIds[1]], page.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetInt64()));
        var cursor = page.GetProperty("nextCursor").GetString()!;
        var rest = Json(await Run("batches", "jobs", S(batch), "--after", cursor, "--json"));
        Assert.Equal([jobIds[2], joined.GetProperty("id").GetInt64()], rest.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextCursor").ValueKind);

        // process runs the members, then the released dependants, then the callback (each run takes what is due then).
        var (done, callback) = await Eventually.WaitAsync(async () =>
        {
            Assert.Equal(0, (await Run("process", "--max-jobs", "20")).ExitCode);
            return (Json(await Run("batches", "show", S(batch), "--json")), Json(await Run("status", S(onComplete), "--json")).GetProperty("status").GetString());
        }, r => r.Item1.GetProperty("finished").GetBoolean() && r.Item2 == "completed", TimeSpan.FromSeconds(90), "the batch and its callback to finish");
        Assert.Equal("completed", callback);
        Assert.Equal(4, done.GetProperty("completed").GetInt32());
        Assert.Equal(0, done.GetProperty("pending").GetInt32());
        Assert.Equal(0, done.GetProperty("failed").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("finishedAt").ValueKind);
        Assert.Equal("cancelled", Json(await Run("status", S(onFailure), "--json")).GetProperty("status").GetString());
        Assert.Single(Receiver.Requests, r => r.Query == "?done");
        Assert.DoesNotContain(Receiver.Requests, r => r.Query == "?failed");

        var shown = await Run("batches", "show", S(batch));
        Assert.Matches(@"state\s+finished", shown.Out);
        Assert.Matches($@"on complete\s+{onComplete}\s+webhook\s+completed", shown.Out);
        Assert.Matches($@"on failure\s+{onFailure}\s+webhook\s+cancelled", shown.Out);
        var finished = await Run("batches", "cancel", S(batch));
        Assert.True(finished.ExitCode == 4, finished.ToString());
        Assert.Contains($"batch {batch} has finished", finished.Err, StringComparison.Ordinal);
        var closed = await Run("enqueue", "webhook", "--payload", $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""", "--batch", S(batch));
        Assert.True(closed.ExitCode == 2, closed.ToString());
        Assert.Contains("batchId", closed.Err, StringComparison.Ordinal);

        // A second batch, cancelled before it runs: its jobs and its callback end cancelled, nothing is called.
        var second = Json(await Run("batches", "create", "--file", File("second.json", $$"""
            { "jobs": [ {{Hook("/ok?x")}}, {{Hook("/ok?y")}} ], "onSuccess": {{Hook("/ok?success")}} }
            """), "--json"));
        var secondId = second.GetProperty("id").GetInt64();
        var cancel = await Run("batches", "cancel", S(secondId));
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains($"Cancelled batch {secondId}: 2 job(s) cancelled.", cancel.Out, StringComparison.Ordinal);
        var cancelled = Json(await Run("batches", "show", S(secondId), "--json"));
        Assert.Equal(2, cancelled.GetProperty("cancelled").GetInt32());
        Assert.True(cancelled.GetProperty("finished").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, cancelled.GetProperty("cancelledAt").ValueKind);
        Assert.Equal("cancelled", Json(await Run("status", S(second.GetProperty("onSuccessJobId").GetInt64()), "--json")).GetProperty("status").GetString());
        var again = await Run("batches", "cancel", S(secondId), "--json");
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.Contains("cancelled already", again.Err, StringComparison.Ordinal);
        Assert.Equal(0, (await Run("process", "--max-jobs", "20")).ExitCode);
        Assert.DoesNotContain(Receiver.Requests, r => r.Query is "?x" or "?y" or "?success");

        var list = await Run("batches", "list");
        Assert.Matches($@"{secondId}\s+-\s+cancelled\s+2\s+0\s+0\s+0\s+2", list.Out);
        Assert.Matches($@"{batch}\s+import 42\s+finished\s+4\s+0\s+4\s+0\s+0", list.Out);
        var newest = Json(await Run("batches", "list", "--limit", "1", "--json")).GetProperty("batches");
        Assert.Equal([secondId], newest.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unknown_batches_are_exit_3_and_bad_files_and_options_exit_2_writing_nothing(string provider)
    {
        var (run, database) = await StoreAsync(provider);
        await using var _ = database;
        Task<Result> Run(params string[] args) => run(args);

        foreach (var verb in new[] { "show", "jobs", "cancel" })
        {
            var missing = await Run("batches", verb, "999");
            Assert.True(missing.ExitCode == 3, $"{verb}: {missing}");
            Assert.Contains("there is no batch 999.", missing.Err, StringComparison.Ordinal);
        }

        var noFile = await Run("batches", "create", "--file", Path.Combine(Db.Directory, "nope.json"));
        Assert.True(noFile.ExitCode == 2, noFile.ToString());
        Assert.Contains("--file cannot be read", noFile.Err, StringComparison.Ordinal);
        foreach (var (name, body, expected) in new[]
        {
            ("broken.json", "{ \"jobs\": [", "is not a batch"),
            ("empty.json", "{ \"jobs\": [] }", "at least one job"),
            ("unknown.json", """{ "jobs": [ { "type": "send_sms", "payload": {} } ] }""", "Known types"),
            ("payload.json", """{ "jobs": [ { "type": "webhook", "payload": { "url": "ftp://x" } } ] }""", "url"),
            ("cycle.json", $$"""{ "jobs": [ {{Hook("/ok")[..^1]}}, "ref": "a", "dependsOn": ["b"] }, {{Hook("/ok")[..^1]}}, "ref": "b", "dependsOn": ["a"] } ] }""", "cycle"),
            ("parent.json", $$"""{ "jobs": [ {{Hook("/ok")[..^1]}}, "dependsOnJobs": [424242] } ] }""", "dependsOn"),
        })
        {
            var refused = await Run("batches", "create", "--file", File(name, body));
            Assert.True(refused.ExitCode == 2, $"{name}: {refused}");
            Assert.Contains(expected, refused.Err, StringComparison.Ordinal);
        }

        var payload = $$"""{"url":"{{Receiver.IpUrl("/ok")}}"}""";
        foreach (var (args, expected) in new (string[], string)[]
        {
            (["--depends-on", "424242"], "dependsOn"),
            (["--depends-on", "x"], "--depends-on 'x' is not a job id"),
            (["--batch", "999"], "batchId"),
            (["--depends-on", "1", "--idempotency-key", "k"], "--idempotency-key cannot be used"),
            (["--on-parent-failure", "sometimes"], "not one of cancel, run_anyway"),
        })
        {
            var refused = await Run(["enqueue", "webhook", "--payload", payload, .. args]);
            Assert.True(refused.ExitCode == 2, $"{string.Join(' ', args)}: {refused}");
            Assert.Contains(expected, refused.Err, StringComparison.Ordinal);
        }

        // Nothing was written by any of them.
        Assert.Contains("No batches.", (await Run("batches", "list")).Out, StringComparison.Ordinal);
        Assert.Contains("No jobs.", (await Run("list")).Out, StringComparison.Ordinal);
    }
}
