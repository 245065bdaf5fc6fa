using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Leora.Crm.Tests;

public sealed class SqliteEndToEndTests : EndToEndTests { public SqliteEndToEndTests() : base(Db.Sqlite) { } }

public sealed class PostgresEndToEndTests : EndToEndTests { public PostgresEndToEndTests() : base(Db.Postgres) { } }

/// <summary>
/// The original design's flow, all over HTTP and behind the API key as a host wires it: upload → scan processing →
/// the job run by the batch endpoint (POST /api/jobs/process) → scan completed → the client's poll sees the data.
/// </summary>
public abstract class EndToEndTests(Db db)
{
    private const string Key = "crm-e2e-test-key-0123456789abcdef";

    [Fact]
    public async Task Upload_then_batch_endpoint_then_poll_sees_the_completed_scan()
    {
        await using var claude = await FakeClaude.StartAsync();
        await using var host = await CrmHost.StartAsync(db, claude, apiKey: Key);

        using var anonymous = new MultipartFormDataContent { { new ByteArrayContent(SampleImages.Png()), "image", "card.png" }, { new StringContent("business_card"), "scanType" } };
        using (var refused = await host.Client.PostAsync("/api/scans", anonymous))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        host.Client.DefaultRequestHeaders.Add("x-api-key", Key);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(SampleImages.Png()), "image", "card.png" }, { new StringContent("business_card"), "scanType" } };
        using var upload = await host.Client.PostAsync("/api/scans", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var scanId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scanId").GetInt64();
        Assert.Equal("processing", (await host.GetJsonAsync($"/api/scans/{scanId}")).GetProperty("status").GetString());

        claude.AnswerJson(new
        {
            legible = true, problem = (string?)null, name = "Ana Lima", title = "Owner", company = "Lima Bar",
            emails = new[] { "ana@limabar.example" }, phones = Array.Empty<string>(), website = (string?)null, address = (string?)null,
        });
        using var process = await host.Client.PostAsync("/api/jobs/process?maxJobs=5", null);
        Assert.Equal(HttpStatusCode.OK, process.StatusCode);
        Assert.Equal(1, (await process.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("succeeded").GetInt32());

        var scan = await host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", scan.GetProperty("status").GetString());
        Assert.Equal("Lima Bar", scan.GetProperty("data").GetProperty("company").GetString());
        Assert.Equal(["ana@limabar.example"], scan.GetProperty("data").GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
    }
}
