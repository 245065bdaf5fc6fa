using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using Microsoft.Data.Sqlite;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>A real <c>leora-jobs serve</c> process stopped with SIGTERM while <c>POST /api/jobs/process</c> runs a batch.</summary>
public sealed partial class ShutdownTests : IAsyncLifetime
{
    private const string Key = "shutdown-test-key-3f9a61";
    private readonly TempSqlite _db = new();
    private WebhookReceiver _receiver = null!;

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _db.Dispose();
    }

    private Dictionary<string, string?> Env => new()
    {
        ["ConnectionStrings__Jobs"] = _db.ConnectionString,
        ["JOB_PROCESSOR_API_KEY"] = Key,
        ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        // Two run at once: of five jobs, two start and three wait in the batch.
        ["Jobs__BatchConcurrency"] = "2",
    };

    [Fact]
    public async Task Sigterm_during_a_batch_hands_back_the_unstarted_jobs_lets_the_running_ones_finish_and_answers_the_summary()
    {
        var tag = "stop" + Guid.NewGuid().ToString("N")[..8];
        var gate = _receiver.Hold(tag);
        using var server = new Process { StartInfo = Start("dotnet", [LeoraJobsDll, "serve", "--no-worker", "--urls", "http://127.0.0.1:0"], _db.Directory, Env) };
        var output = new StringBuilder();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) address.TrySetResult(m.Groups[1].Value);
        };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(await address.Task.WithTimeout(TimeSpan.FromMinutes(2), "serve to say where it listens")), Timeout = TimeSpan.FromMinutes(3) };
            http.DefaultRequestHeaders.Add("x-api-key", Key);
            var ids = new List<long>();
            for (var i = 1; i <= 5; i++)
            {
                var enqueued = await http.PostAsJsonAsync("/api/jobs", new
                {
                    type = "webhook",
                    payload = new { url = _receiver.IpUrl($"/hold?tag={tag}"), method = "POST", body = $"job-{i}" },
                });
                Assert.Equal(HttpStatusCode.Created, enqueued.StatusCode);
                ids.Add((await enqueued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
            }

            var batch = http.PostAsync("/api/jobs/process?maxJobs=10", null);
            await Eventually.WaitAsync(() => Task.FromResult(_receiver.For(tag).Count), n => n == 2, TimeSpan.FromMinutes(1),
                "the batch's two running jobs to reach the receiver");

            var kill = await RunAsync("kill", ["-TERM", $"{server.Id}"], _db.Directory);
            Assert.True(kill.ExitCode == 0, kill.ToString());
            // At the stop the batch starts nothing more and hands back at once the three it had claimed ahead, while the two
            // running jobs are still held at the receiver.
            await Eventually.WaitAsync(() => CountAsync("status = 'pending' AND attempts = 0"), n => n == 3, TimeSpan.FromMinutes(1),
                "the batch to hand back the three jobs it had not started");
            Assert.Equal(2, _receiver.For(tag).Count);

            gate.SetResult();
            var response = await batch.WithTimeout(TimeSpan.FromMinutes(1), "the batch's answer");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
            var summary = JsonDocument.Parse(text).RootElement;
            Assert.Equal(2, summary.GetProperty("processed").GetInt32());
            Assert.Equal(2, summary.GetProperty("succeeded").GetInt32());
            Assert.Equal(3, summary.GetProperty("handedBack").GetInt32());

            await server.WaitForExitAsync().WithTimeout(TimeSpan.FromMinutes(1), "serve to exit after SIGTERM");
            Assert.Equal(0, server.ExitCode);

            // Another batch runs the three handed back; in the end every job was delivered exactly once, on its first attempt.
            var rest = await LeoraJobsAsync(_db.Directory, Env, "process", "--json");
            Assert.True(rest.ExitCode == 0, rest.ToString());
            Assert.Equal(3, JsonDocument.Parse(rest.Out).RootElement.GetProperty("succeeded").GetInt32());
            Assert.Equal(Enumerable.Range(1, 5).Select(i => $"job-{i}"), _receiver.For(tag).Select(r => r.Body).Order());
            Assert.Equal(5, await CountAsync("status = 'completed' AND attempts = 1"));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- service output\n{output}", ex);
        }
        finally
        {
            gate.TrySetResult();
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private async Task<long> CountAsync(string where)
    {
        await using var connection = new SqliteConnection(_db.ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 10000";
        await cmd.ExecuteNonQueryAsync();
        cmd.CommandText = $"SELECT count(*) FROM leora_jobs WHERE {where}";
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
