using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs;

namespace Leora.Crm.Tests;

public sealed class SqliteScanTests : ScanTests { public SqliteScanTests() : base(Db.Sqlite) { } }

public sealed class PostgresScanTests : ScanTests { public PostgresScanTests() : base(Db.Postgres) { } }

/// <summary>Image extraction end to end over HTTP: upload, the job run by the batch processor, the poll; the real SDK against <see cref="FakeClaude"/>.</summary>
public abstract class ScanTests(Db db) : IAsyncLifetime
{
    private FakeClaude _claude = null!;
    private CrmHost _host = null!;

    public async Task InitializeAsync()
    {
        _claude = await FakeClaude.StartAsync();
        _host = await CrmHost.StartAsync(db, _claude, o => { o.CreateCustomersFromBusinessCards = true; o.DefaultPhoneCountryCode = "1"; });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _claude.DisposeAsync();
    }

    private static object Card(string? email = "Jane.Doe@Example.COM") => new
    {
        legible = true, problem = (string?)null, name = "  Jane   Doe ", title = "Head of Buying", company = "Example Wines",
        emails = new[] { email, "not-an-email" }, phones = new[] { "(415) 555-0100 x12", "12" }, website = "Example.com/", address = "1 Vine St\nNapa, CA",
    };

    private async Task<(long ScanId, long JobId)> UploadAsync(byte[] image, string scanType = "business_card", string name = "card.png")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "image", name);
        form.Add(new StringContent(scanType), "scanType");
        using var response = await _host.Client.PostAsync("/api/scans", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("processing", body.GetProperty("status").GetString());
        Assert.EndsWith($"/api/scans/{body.GetProperty("scanId").GetInt64()}", response.Headers.Location!.ToString());
        return (body.GetProperty("scanId").GetInt64(), body.GetProperty("jobId").GetInt64());
    }

    [Fact]
    public async Task Business_card_upload_is_processed_by_the_batch_and_the_poll_sees_normalised_data()
    {
        var png = SampleImages.Png();
        var (scanId, jobId) = await UploadAsync(png);
        var before = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("processing", before.GetProperty("status").GetString());
        Assert.Equal(JobStatus.Pending, (await _host.Jobs.GetAsync(jobId))!.Status);

        _claude.AnswerJson(Card());
        var batch = await _host.ProcessAsync();
        Assert.Equal(1, batch.Succeeded);

        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", scan.GetProperty("status").GetString());
        var data = scan.GetProperty("data");
        Assert.Equal("Jane Doe", data.GetProperty("name").GetString());
        Assert.Equal(["jane.doe@example.com"], data.GetProperty("emails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["+14155550100"], data.GetProperty("phones").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("https://example.com", data.GetProperty("website").GetString());
        Assert.Equal("1 Vine St Napa, CA", data.GetProperty("address").GetString());
        Assert.Contains(data.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("not-an-email"));

        // The request the SDK sent: the model, the image as a base64 block with its media type, the schema.
        Assert.True(_claude.RequestProblems.IsEmpty, string.Join(" | ", _claude.RequestProblems));
        var request = Assert.Single(_claude.Requests);
        Assert.Equal("claude-test-model", request["model"]!.GetValue<string>());
        var image = FakeClaude.ImageBlock(request)!;
        Assert.Equal("base64", image["source"]!["type"]!.GetValue<string>());
        Assert.Equal("image/png", image["source"]!["media_type"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(png), image["source"]!["data"]!.GetValue<string>());
        var schema = request["output_config"]!["format"]!["schema"]!;
        Assert.Contains("emails", schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));

        // The option: the business card created a customer, matched by e-mail.
        var customerId = scan.GetProperty("customerId").GetInt64();
        var customer = await _host.GetJsonAsync($"/api/customers/{customerId}");
        Assert.Equal("jane.doe@example.com", customer.GetProperty("email").GetString());
        Assert.Equal("Example Wines", customer.GetProperty("company").GetString());
    }

    [Fact]
    public async Task Liquor_licence_dates_are_normalised_to_iso_and_ambiguous_ones_left_empty_with_a_warning()
    {
        var (scanId, _) = await UploadAsync(SampleImages.Jpeg(), "liquor_license", "licence.jpg");
        _claude.AnswerJson(new
        {
            legible = true, problem = (string?)null, licenseNumber = "LIC-0042", licenseType = "On-sale general", licensee = "Vine Ltd",
            tradeName = "The Vine", premisesAddress = "1 Vine St", issuingAuthority = "ABC", issueDate = "March 3rd, 2024", expiryDate = "04/05/2026",
        });
        await _host.ProcessAsync();
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("completed", scan.GetProperty("status").GetString());
        var data = scan.GetProperty("data");
        Assert.Equal("2024-03-03", data.GetProperty("issueDate").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("expiryDate").ValueKind);
        Assert.Contains(data.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("04/05/2026"));
        Assert.Equal("image/jpeg", FakeClaude.ImageBlock(_claude.Requests.Single())!["source"]!["media_type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rate_limit_retries_after_the_retry_after_header_then_succeeds()
    {
        var (scanId, jobId) = await UploadAsync(SampleImages.Png());
        _claude.AnswerRateLimited(retryAfterSeconds: 2);
        var first = await _host.ProcessAsync();
        Assert.Equal(1, first.Retried);
        var job = (await _host.Jobs.GetAsync(jobId))!;
        Assert.Equal(JobStatus.Pending, job.Status);
        // run_at honours retry-after (2 s), not the zero backoff the test host configured.
        Assert.InRange((job.RunAt - DateTimeOffset.UtcNow).TotalSeconds, 0.5, 2.5);
        Assert.Contains("429", job.Errors[^1].Message);
        Assert.Equal("processing", (await _host.GetJsonAsync($"/api/scans/{scanId}")).GetProperty("status").GetString());
        Assert.Equal(0, (await _host.ProcessAsync()).Processed);

        _claude.AnswerJson(Card());
        await Leora.Jobs.TestSupport.Eventually.WaitAsync(async () => (await _host.ProcessAsync()).Succeeded == 1, TimeSpan.FromSeconds(10), "the retry after retry-after");
        Assert.Equal("completed", (await _host.GetJsonAsync($"/api/scans/{scanId}")).GetProperty("status").GetString());
        Assert.Equal(2, _claude.Requests.Count);
    }

    [Fact]
    public async Task Server_errors_retry_and_fail_the_scan_when_attempts_are_used_up()
    {
        var (scanId, jobId) = await UploadAsync(SampleImages.Png());
        for (var i = 0; i < 5; i++) _claude.AnswerServerError();
        for (var i = 1; i <= 4; i++)
        {
            // One job per batch: with the test host's zero backoff, a larger batch would claim the retry at once.
            Assert.Equal(1, (await _host.ProcessAsync(maxJobs: 1)).Retried);
            // While the job waits to retry, the scan says so: which attempt failed, why, and when the next one runs.
            var waiting = await _host.GetJsonAsync($"/api/scans/{scanId}");
            Assert.Equal("processing", waiting.GetProperty("status").GetString());
            Assert.True(waiting.GetProperty("retrying").GetBoolean());
            Assert.Equal(i, waiting.GetProperty("attempt").GetInt32());
            Assert.Equal(5, waiting.GetProperty("maxAttempts").GetInt32());
            Assert.Contains("500", waiting.GetProperty("lastError").GetString());
            Assert.Equal((await _host.Jobs.GetAsync(jobId))!.RunAt, waiting.GetProperty("nextTryAt").GetDateTimeOffset());
        }
        Assert.Equal(1, (await _host.ProcessAsync(maxJobs: 1)).Failed);
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.Contains("500", scan.GetProperty("error").GetString());
        var job = (await _host.Jobs.GetAsync(jobId))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Equal(5, job.Attempts);
    }

    [Fact]
    public async Task Refusal_fails_at_once_with_a_readable_error()
    {
        var (scanId, jobId) = await UploadAsync(SampleImages.Png());
        _claude.AnswerRefusal();
        Assert.Equal(1, (await _host.ProcessAsync()).Failed);
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.Contains("refused", scan.GetProperty("error").GetString());
        Assert.Equal(1, (await _host.Jobs.GetAsync(jobId))!.Attempts);
    }

    [Fact]
    public async Task Malformed_model_output_fails_without_retry()
    {
        var (scanId, jobId) = await UploadAsync(SampleImages.Png());
        _claude.AnswerText("Sure! The card says Jane Doe {");
        Assert.Equal(1, (await _host.ProcessAsync()).Failed);
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.Contains("not the JSON", scan.GetProperty("error").GetString());
        Assert.Equal(1, (await _host.Jobs.GetAsync(jobId))!.Attempts);
    }

    [Fact]
    public async Task Unreadable_image_fails_with_the_models_reason()
    {
        var (scanId, _) = await UploadAsync(SampleImages.Png());
        _claude.AnswerJson(new
        {
            legible = false, problem = "the photo is too blurred", name = (string?)null, title = (string?)null, company = (string?)null,
            emails = Array.Empty<string>(), phones = Array.Empty<string>(), website = (string?)null, address = (string?)null,
        });
        await _host.ProcessAsync();
        var scan = await _host.GetJsonAsync($"/api/scans/{scanId}");
        Assert.Equal("failed", scan.GetProperty("status").GetString());
        Assert.Contains("too blurred", scan.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Upload_rejects_non_images_oversized_files_bad_scan_types_and_unknown_ids_as_problem_json()
    {
        async Task<HttpResponseMessage> Post(byte[] bytes, string scanType, string name)
        {
            using var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(bytes), "image", name);
            form.Add(new StringContent(scanType), "scanType");
            return await _host.Client.PostAsync("/api/scans", form);
        }

        using var notImage = await Post("%PDF-1.7 not an image"u8.ToArray(), "business_card", "card.png");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notImage.StatusCode);
        Assert.Equal("application/problem+json", notImage.Content.Headers.ContentType!.MediaType);

        var big = new byte[5 * 1024 * 1024 + 1];
        SampleImages.Png().CopyTo(big, 0);
        using var tooBig = await Post(big, "business_card", "big.png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal("application/problem+json", tooBig.Content.Headers.ContentType!.MediaType);

        using var badType = await Post(SampleImages.Png(), "passport", "card.png");
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);

        using var notFound = await _host.Client.GetAsync("/api/scans/987654");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("application/problem+json", notFound.Content.Headers.ContentType!.MediaType);

        // Nothing was written: no job was enqueued by any of the refused uploads.
        Assert.Empty((await _host.Jobs.ListAsync(new JobQuery())).Items);
    }
}
