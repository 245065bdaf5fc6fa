using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs;

namespace Leora.Crm.Tests;

public sealed class SqliteScanUrlTests : ScanUrlTests { public SqliteScanUrlTests() : base(Db.Sqlite) { } }

public sealed class PostgresScanUrlTests : ScanUrlTests { public PostgresScanUrlTests() : base(Db.Postgres) { } }

/// <summary>
/// Scans from an image URL (issue 21): the image is fetched when the job runs, through the webhooks' SSRF guard, with the
/// upload's size and content checks, from a local image server on 127.0.0.1 that the test host allows by name.
/// </summary>
public abstract class ScanUrlTests(Db db) : IAsyncLifetime
{
    private const int MaxImageBytes = 64 * 1024;
    private FakeClaude _claude = null!;
    private ImageServer _images = null!;
    private CrmHost _host = null!;

    public async Task InitializeAsync()
    {
        _claude = await FakeClaude.StartAsync();
        _images = await ImageServer.StartAsync(hugeBytes: MaxImageBytes + 1);
        _host = await CrmHost.StartAsync(db, _claude, o =>
        {
            o.MaxImageBytes = MaxImageBytes;
            o.ImageUrlAllowedHosts.Add("127.0.0.1");
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _images.DisposeAsync();
        await _claude.DisposeAsync();
    }

    private static object Card() => new
    {
        legible = true, problem = (string?)null, name = "Uri Lopez", title = "Owner", company = "Lopez Wines",
        emails = new[] { "uri@lopez.example" }, phones = Array.Empty<string>(), website = (string?)null, address = (string?)null,
    };

    private static async Task<(long ScanId, long JobId)> PostAsync(CrmHost host, string imageUrl)
    {
        using var response = await host.Client.PostAsJsonAsync("/api/scans", new { scanType = "business_card", imageUrl });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("processing", body.GetProperty("status").GetString());
        return (body.GetProperty("scanId").GetInt64(), body.GetProperty("jobId").GetInt64());
    }

    [Fact]
    public async Task The_image_is_fetched_when_the_job_runs_following_a_redirect_and_sent_to_Claude()
    {
        var (scanId, _) = await PostAsync(_host, _images.Url("/moved.png"));
        Assert.Empty(_images.Requests);
        _claude.AnswerJson(Card());
        Assert.Equal(1, (await _host.ProcessAsync()).Succeeded);

        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", scan.GetProperty("status").GetString());
        Assert.Equal(_images.Url("/moved.png"), scan.GetProperty("imageUrl").GetString());
        Assert.Equal(new[] { "/moved.png", "/card.png" }, _images.Requests.ToArray());
        var image = FakeClaude.ImageBlock(Assert.Single(_claude.Requests))!;
        Assert.Equal("image/png", image["source"]!["media_type"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(_images.Card), image["source"]!["data"]!.GetValue<string>());

        // The same through a multipart form field instead of the file.
        using var form = new MultipartFormDataContent { { new StringContent("business_card"), "scanType" }, { new StringContent(_images.Url("/card.png")), "imageUrl" } };
        using var multipart = await _host.Client.PostAsync("/api/scans", form);
        Assert.Equal(HttpStatusCode.Accepted, multipart.StatusCode);
        _claude.AnswerJson(Card());
        Assert.Equal(1, (await _host.ProcessAsync()).Succeeded);
    }

    [Theory]
    [InlineData("/missing.png", "404")]
    [InlineData("/huge.png", "larger than 0.1 MB (Crm:MaxImageBytes)")]
    [InlineData("/page.png", "not a JPEG, PNG, GIF or WebP image")]
    public async Task A_url_that_cannot_give_an_image_fails_at_once_with_a_readable_reason(string path, string reason)
    {
        var (scanId, jobId) = await PostAsync(_host, _images.Url(path));
        Assert.Equal(1, (await _host.ProcessAsync()).Failed);
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.Contains(reason, scan.GetProperty("error").GetString());
        Assert.False(scan.GetProperty("retrying").GetBoolean());
        var job = (await _host.Jobs.GetAsync(jobId))!;
        Assert.Equal((JobStatus.Failed, 1), (job.Status, job.Attempts));
        Assert.Empty(_claude.Requests);
    }

    [Fact]
    public async Task A_server_error_is_retried_the_scan_shows_its_retry_state_and_the_retry_succeeds()
    {
        var (scanId, jobId) = await PostAsync(_host, _images.Url("/flaky.png"));
        Assert.Equal(1, (await _host.ProcessAsync(maxJobs: 1)).Retried);

        var waiting = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("processing", waiting.GetProperty("status").GetString());
        Assert.True(waiting.GetProperty("retrying").GetBoolean());
        Assert.Equal(1, waiting.GetProperty("attempt").GetInt32());
        Assert.Equal(5, waiting.GetProperty("maxAttempts").GetInt32());
        Assert.Contains("503", waiting.GetProperty("lastError").GetString());
        Assert.Equal((await _host.Jobs.GetAsync(jobId))!.RunAt, waiting.GetProperty("nextTryAt").GetDateTimeOffset());
        // The list shows the same state.
        var listed = Assert.Single((await _host.GetJsonAsync("/api/scans")).GetProperty("items").EnumerateArray());
        Assert.True(listed.GetProperty("retrying").GetBoolean());
        Assert.Equal(jobId, listed.GetProperty("jobId").GetInt64());

        _images.FlakyHealed = true;
        _claude.AnswerJson(Card());
        await Leora.Jobs.TestSupport.Eventually.WaitAsync(async () => (await _host.ProcessAsync()).Succeeded == 1, TimeSpan.FromSeconds(30), "the retried fetch");
        var done = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.False(done.GetProperty("retrying").GetBoolean());
        Assert.Equal(2, done.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task A_local_address_is_refused_by_default_before_any_request_is_sent()
    {
        await using var host = await CrmHost.StartAsync(db, _claude);
        var (scanId, jobId) = await PostAsync(host, _images.Url("/card.png"));
        Assert.Equal(1, (await host.ProcessAsync()).Failed);
        var scan = await host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        var error = scan.GetProperty("error").GetString()!;
        Assert.Contains("non-public address", error);
        Assert.Contains("Crm:ImageUrlAllowedHosts", error);
        Assert.Equal(1, (await host.Jobs.GetAsync(jobId))!.Attempts);
        Assert.Empty(_images.Requests);
        Assert.Empty(_claude.Requests);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/card.png")]
    [InlineData("card.png")]
    [InlineData("")]
    [InlineData("http://user:secret@127.0.0.1/card.png")]
    public async Task A_bad_image_url_is_refused_with_400_naming_the_field_and_nothing_is_queued(string imageUrl)
    {
        using var response = await _host.Client.PostAsJsonAsync("/api/scans", new { scanType = "business_card", imageUrl });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("imageUrl", await response.Content.ReadAsStringAsync());
        Assert.Empty((await _host.Jobs.ListAsync(new JobQuery())).Items);
    }
}
