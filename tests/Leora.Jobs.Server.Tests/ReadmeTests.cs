using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The README's "Run the service" section, as a new user follows it: <c>dotnet run --project src/Leora.Jobs.Server</c>
/// with a key (on a free port here), then curl to enqueue a webhook job, then curl until it is completed.
/// </summary>
[Collection(nameof(ReadmeTests))]
public sealed partial class ReadmeTests
{
    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex Listening();

    [Fact]
    public async Task The_first_README_command_serves_and_a_webhook_job_enqueued_with_curl_completes()
    {
        using var folder = new TempSqlite();
        await using var receiver = await WebhookReceiver.StartAsync();
        const string key = "readme-test-key-5d2f8a";
        var info = Start("dotnet", ["run", "--project", Path.Combine(RepoRoot, "src", "Leora.Jobs.Server")], folder.Directory, new Dictionary<string, string?>
        {
            ["JOB_PROCESSOR_API_KEY"] = key,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        });
        using var server = new Process { StartInfo = info };
        var output = new StringBuilder();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The banner's lines arrive one event each: wait for its last line before reading the others.
        var bannerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) address.TrySetResult(m.Groups[1].Value);
            if (e.Data.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal)) bannerDone.TrySetResult();
        };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        server.Start();
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            // dotnet run builds first (a Debug build, as a new user gets): allow for a cold build on a busy machine.
            var baseUrl = await address.Task.WithTimeout(TimeSpan.FromMinutes(10), "the service to say where it listens");
            await bannerDone.Task.WithTimeout(TimeSpan.FromMinutes(1), "the service's start-up banner");
            string banner;
            lock (output) banner = output.ToString();
            Assert.Contains("Jobs are kept in the SQLite database", banner, StringComparison.Ordinal);
            Assert.Contains("API keys: 1 accepted", banner, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder.Directory, "data", "jobs.db")), "the database belongs under ./data/");

            var enqueue = await RunAsync("curl", ["-sS", "-X", "POST", $"{baseUrl}/api/jobs", "-H", $"x-api-key: {key}", "-H", "Content-Type: application/json",
                "-d", JsonSerializer.Serialize(new { type = "webhook", payload = new { url = receiver.IpUrl("/ok"), body = new { hello = "world" } } })], folder.Directory);
            Assert.True(enqueue.ExitCode == 0, enqueue.ToString());
            var id = JsonDocument.Parse(enqueue.Out).RootElement.GetProperty("id").GetInt64();

            var status = await Eventually.WaitAsync(async () =>
            {
                var r = await RunAsync("curl", ["-sS", $"{baseUrl}/api/jobs/{id}", "-H", $"Authorization: Bearer {key}"], folder.Directory);
                return JsonDocument.Parse(r.Out).RootElement.GetProperty("status").GetString();
            }, s => s is "completed" or "failed", TimeSpan.FromSeconds(60), "the built-in worker to run the webhook job");
            Assert.Equal("completed", status);
            Assert.Contains("\"hello\":\"world\"", Assert.Single(receiver.Requests).Body, StringComparison.Ordinal);

            var refused = await RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", $"{baseUrl}/api/jobs/{id}"], folder.Directory);
            Assert.Equal("401", refused.Out.Trim());
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- service output\n{output}", ex);
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}

/// <summary>The README test runs alone: it builds the service with dotnet run, which competes badly with parallel tests for CPU.</summary>
[CollectionDefinition(nameof(ReadmeTests), DisableParallelization = true)]
public sealed class ReadmeTestsCollection;
