using System.Net;
using System.Text.Json;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// Stack traces stored with a job's errors, and sent by the API, name source files by their mapped path (<c>/_/src/…</c>),
/// never by the absolute path of the machine that built them (Directory.Build.props: deterministic source paths).
/// </summary>
public sealed class SourcePathTests(SqliteServiceFixture fixture) : IClassFixture<SqliteServiceFixture>
{
    [Fact]
    public async Task A_failed_jobs_stack_trace_names_mapped_source_paths_not_the_build_machines()
    {
        var tag = "t" + Guid.NewGuid().ToString("N")[..12];
        using var client = fixture.Service.WithKey();
        // A 4xx answer makes the webhook handler (src/Leora.Jobs.Webhooks) throw, so the trace has frames of shipped code.
        var created = await (await client.PostJsonAsync("/api/jobs",
            new { type = "webhook", payload = new { url = fixture.Receiver.Url($"/bad?tag={tag}"), body = "x" }, queue = tag })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PostAsync($"/api/jobs/process?queue={tag}", null)).ExpectAsync(HttpStatusCode.OK);
        var job = await (await client.GetAsync($"/api/jobs/{created.Long("id")}")).ExpectAsync(HttpStatusCode.OK);

        Assert.Equal("failed", job.Str("status"));
        var error = job.GetProperty("errors")[0];
        Assert.Equal(JsonValueKind.String, error.GetProperty("stackTrace").ValueKind);
        var trace = error.Str("stackTrace");
        // File names and lines show only when the PDBs are there: this proves the trace is one that could leak a path.
        Assert.Contains("/_/src/Leora.Jobs.Webhooks/WebhookJobHandler.cs:line ", trace, StringComparison.Ordinal);
        var root = RepoRoot();
        Assert.DoesNotContain(root, trace, StringComparison.Ordinal);
        Assert.DoesNotContain(root, JsonSerializer.Serialize(job), StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Leora.Jobs.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (with Leora.Jobs.slnx) was not found above the test's folder.");
    }
}
