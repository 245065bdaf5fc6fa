using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The OpenAPI document is a contract (issue 15): the served document is the committed <c>docs/openapi/v1.json</c>, and
/// every endpoint, called for real on SQLite, answers only status codes the document declares, each body valid against
/// the document's schema for that code and media type (JsonSchema.Net, draft 2020-12 as OpenAPI 3.1 uses).
/// </summary>
public sealed class OpenApiContractTests : IAsyncLifetime
{
    /// <summary>Set to 1 to write the served document over the committed one (docs/http-api.md).</summary>
    public const string UpdateVariable = "LEORA_UPDATE_OPENAPI";

    private LeoraService _service = null!;
    private WebhookReceiver _receiver = null!;
    private JsonElement _document;
    private string _served = "";
    private BuildOptions _build = null!;
    private static readonly Uri DocumentUri = new("https://leora-jobs.test/openapi/v1.json");

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _service = await LeoraService.StartAsync("sqlite", ["--Jobs:Api:MaxRequestBodyBytes=65536"]);
        using var anonymous = _service.Anonymous();
        _served = await anonymous.GetStringAsync("/openapi/v1.json");
        using var parsed = JsonDocument.Parse(_served);
        _document = parsed.RootElement.Clone();
        var registry = new SchemaRegistry();
        registry.Register(DocumentUri, new JsonElementBaseDocument(_document, DocumentUri));
        // OpenAPI 3.1's schemas are draft 2020-12 with keywords of its own (discriminator): annotations, allowed.
        _build = new BuildOptions { SchemaRegistry = registry, Dialect = Dialect.Draft202012.With([], allowUnknownKeywords: true) };
    }

    public async Task DisposeAsync()
    {
        if (_service is not null) await _service.DisposeAsync();
        if (_receiver is not null) await _receiver.DisposeAsync();
    }

    [Fact]
    public void The_served_document_is_the_committed_one()
    {
        var path = Path.Combine(ProcessRunner.RepoRoot, "docs", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") File.WriteAllText(path, _served);
        var committed = File.Exists(path) ? File.ReadAllText(path) : "";
        Assert.True(committed == _served,
            "The served OpenAPI document differs from docs/openapi/v1.json. If the change is meant, regenerate the file: " +
            $"{UpdateVariable}=1 dotnet test tests/Leora.Jobs.AspNetCore.Tests --filter FullyQualifiedName~OpenApiContractTests " +
            "(or ./build.sh openapi), and commit it with the change (clients are generated from it).");
    }

    [Fact]
    public void The_enqueue_body_is_a_union_discriminated_by_type_with_each_payload_schema()
    {
        var schemas = _document.GetProperty("components").GetProperty("schemas");
        var enqueue = schemas.GetProperty("EnqueueRequest");
        Assert.Equal("type", enqueue.GetProperty("discriminator").Str("propertyName"));
        Assert.Equal("#/components/schemas/EnqueueWebhookJob", enqueue.GetProperty("discriminator").GetProperty("mapping").Str("webhook"));
        var webhook = schemas.GetProperty("WebhookPayload");
        Assert.Contains("url", webhook.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        // {type: "webhook", payload: {method: "POST"}} has no url: the document refuses it, as the service does.
        Assert.False(Evaluate("#/components/schemas/EnqueueRequest", """{"type":"webhook","payload":{"method":"POST"}}""").IsValid);
        Assert.True(Evaluate("#/components/schemas/EnqueueRequest", """{"type":"webhook","payload":{"url":"https://example.com/"}}""").IsValid);
        Assert.False(Evaluate("#/components/schemas/EnqueueRequest", """{"type":"webhook","payload":{"url":"https://example.com/"},"priority":"5"}""").IsValid);
    }

    [Fact]
    public async Task Every_endpoint_answers_as_the_document_says()
    {
        using var client = _service.WithKey();
        using var anonymous = _service.Anonymous();
        var queue = "contract-" + Guid.NewGuid().ToString("N")[..8];
        var webhook = new { url = _receiver.Url("/hook?tag=contract"), method = "POST" };

        await Check(anonymous.GetAsync("/health/live"), "get", "/health/live", HttpStatusCode.OK);
        await Check(anonymous.GetAsync("/health/ready"), "get", "/health/ready", HttpStatusCode.OK);
        await Check(anonymous.GetAsync("/api/jobs"), "get", "/api/jobs", HttpStatusCode.Unauthorized);

        // Enqueue: new, existing, and each refusal.
        var created = await Check(client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = webhook, queue, idempotencyKey = queue }), "post", "/api/jobs", HttpStatusCode.Created);
        var id = created.Long("id");
        Assert.Equal(JsonValueKind.Null, created.GetProperty("result").ValueKind);
        await Check(client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = webhook, queue, idempotencyKey = queue }), "post", "/api/jobs", HttpStatusCode.OK);
        var unknown = await Check(client.PostJsonAsync("/api/jobs", new { type = "nope", payload = new { } }), "post", "/api/jobs", HttpStatusCode.BadRequest);
        Assert.True(unknown.GetProperty("knownTypes").GetArrayLength() > 0);
        var noUrl = await Check(client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = new { method = "POST" } }), "post", "/api/jobs", HttpStatusCode.BadRequest);
        NoDotNetNames(noUrl);
        var quoted = await Check(client.PostRawAsync("/api/jobs", """{"type":"webhook","payload":{"url":"https://example.com/"},"priority":"5"}"""), "post", "/api/jobs", HttpStatusCode.BadRequest);
        NoDotNetNames(quoted);
        await Check(client.PostRawAsync("/api/jobs", "type=webhook", "text/plain"), "post", "/api/jobs", HttpStatusCode.UnsupportedMediaType);
        await Check(client.PostRawAsync("/api/jobs", $$$"""{"type":"webhook","payload":{"url":"https://example.com/","body":"{{{new string('x', 70_000)}}}"}}"""), "post", "/api/jobs", HttpStatusCode.RequestEntityTooLarge);

        // Bulk.
        await Check(client.PostJsonAsync("/api/jobs/bulk", new { jobs = new[] { new { type = "webhook", payload = (object)webhook, queue } } }), "post", "/api/jobs/bulk", HttpStatusCode.OK);
        var bulkBad = await Check(client.PostJsonAsync("/api/jobs/bulk", new { jobs = new[] { new { type = "webhook", payload = (object)new { method = "GET" }, queue } } }), "post", "/api/jobs/bulk", HttpStatusCode.BadRequest);
        NoDotNetNames(bulkBad);

        // Run the batch: jobs complete with a result.
        await Check(client.GetAsync($"/api/jobs/process?queue={queue}"), "get", "/api/jobs/process", HttpStatusCode.OK);
        await Check(client.PostAsync($"/api/jobs/process?queue={queue}&maxJobs=10", null), "post", "/api/jobs/process", HttpStatusCode.OK);
        await Check(client.GetAsync($"/api/jobs/process/cron?queue={queue}"), "get", "/api/jobs/process/cron", HttpStatusCode.OK);
        var done = await Check(client.GetAsync($"/api/jobs/{id}"), "get", "/api/jobs/{id}", HttpStatusCode.OK);
        Assert.Equal("completed", done.Str("status"));
        Assert.Equal(JsonValueKind.Object, done.GetProperty("result").ValueKind);
        foreach (var bad in new[] { "maxJobs=abc", "maxJobs=0", "maxSeconds=soon" })
        {
            var problem = await Check(client.PostAsync($"/api/jobs/process?{bad}", null), "post", "/api/jobs/process", HttpStatusCode.BadRequest);
            NoDotNetNames(problem);
            Assert.Contains(bad.Split('=')[0], problem.Str("detail"), StringComparison.Ordinal);
        }

        // Reading.
        await Check(client.GetAsync($"/api/jobs?queue={queue}"), "get", "/api/jobs", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/jobs?status=bogus"), "get", "/api/jobs", HttpStatusCode.BadRequest);
        NoDotNetNames(await Check(client.GetAsync("/api/jobs?limit=many"), "get", "/api/jobs", HttpStatusCode.BadRequest));
        NoDotNetNames(await Check(client.GetAsync("/api/jobs?createdFrom=yesterday"), "get", "/api/jobs", HttpStatusCode.BadRequest));
        await Check(client.GetAsync("/api/jobs/987654321"), "get", "/api/jobs/{id}", HttpStatusCode.NotFound);
        await Check(client.GetAsync($"/api/jobs/{id}/timeline"), "get", "/api/jobs/{id}/timeline", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/jobs/987654321/timeline"), "get", "/api/jobs/{id}/timeline", HttpStatusCode.NotFound);
        await Check(client.GetAsync("/api/jobs/history?range=day"), "get", "/api/jobs/history", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/jobs/history?range=year"), "get", "/api/jobs/history", HttpStatusCode.BadRequest);
        await Check(client.GetAsync("/api/jobs/stats"), "get", "/api/jobs/stats", HttpStatusCode.OK);
        var types = await Check(client.GetAsync("/api/jobs/types"), "get", "/api/jobs/types", HttpStatusCode.OK);
        Assert.Contains(types.GetProperty("types").EnumerateArray(), t => t.Str("type") == "webhook" && t.GetProperty("payloadSchema").GetProperty("required")[0].GetString() == "url");

        // Acting on one job.
        await Check(client.PostAsync($"/api/jobs/{id}/cancel", null), "post", "/api/jobs/{id}/cancel", HttpStatusCode.Conflict);
        await Check(client.PostAsync("/api/jobs/987654321/cancel", null), "post", "/api/jobs/{id}/cancel", HttpStatusCode.NotFound);
        var later = (await Check(client.PostJsonAsync("/api/jobs", new { type = "webhook", payload = webhook, queue, delaySeconds = 3600 }), "post", "/api/jobs", HttpStatusCode.Created)).Long("id");
        await Check(client.PostAsync($"/api/jobs/{later}/retry", null), "post", "/api/jobs/{id}/retry", HttpStatusCode.Conflict);
        await Check(client.PostAsync($"/api/jobs/{later}/run-now", null), "post", "/api/jobs/{id}/run-now", HttpStatusCode.OK);
        await Check(client.PostAsync($"/api/jobs/{later}/run-now", null), "post", "/api/jobs/{id}/run-now", HttpStatusCode.Conflict);
        await Check(client.PostAsync("/api/jobs/987654321/run-now", null), "post", "/api/jobs/{id}/run-now", HttpStatusCode.NotFound);
        await Check(client.PostAsync($"/api/jobs/{later}/cancel", null), "post", "/api/jobs/{id}/cancel", HttpStatusCode.OK);
        await Check(client.PostAsync($"/api/jobs/{later}/retry", null), "post", "/api/jobs/{id}/retry", HttpStatusCode.OK);
        await Check(client.PostAsync("/api/jobs/987654321/retry", null), "post", "/api/jobs/{id}/retry", HttpStatusCode.NotFound);
        await Check(client.DeleteAsync($"/api/jobs/{later}"), "delete", "/api/jobs/{id}", HttpStatusCode.NoContent);
        await Check(client.DeleteAsync($"/api/jobs/{later}"), "delete", "/api/jobs/{id}", HttpStatusCode.NotFound);
        await Check(client.PostJsonAsync("/api/jobs/actions", new { action = "retry", ids = new[] { id, 987654321L } }), "post", "/api/jobs/actions", HttpStatusCode.OK);
        await Check(client.PostJsonAsync("/api/jobs/actions", new { action = "explode", ids = new[] { id } }), "post", "/api/jobs/actions", HttpStatusCode.BadRequest);
        await Check(client.PostAsync("/api/jobs/cleanup?olderThanDays=30", null), "post", "/api/jobs/cleanup", HttpStatusCode.OK);
        await Check(client.PostAsync("/api/jobs/cleanup?olderThanDays=-1", null), "post", "/api/jobs/cleanup", HttpStatusCode.BadRequest);

        // Schedules.
        var name = queue + "-nightly";
        var schedule = new { name, cron = "0 3 * * *", type = "webhook", payload = webhook, queue };
        await Check(client.PostJsonAsync("/api/jobs/schedules", schedule), "post", "/api/jobs/schedules", HttpStatusCode.Created);
        await Check(client.PostJsonAsync("/api/jobs/schedules", schedule), "post", "/api/jobs/schedules", HttpStatusCode.Conflict);
        await Check(client.PostJsonAsync("/api/jobs/schedules", schedule with { name = name + "-bad", cron = "every day" }), "post", "/api/jobs/schedules", HttpStatusCode.BadRequest);
        await Check(client.GetAsync("/api/jobs/schedules"), "get", "/api/jobs/schedules", HttpStatusCode.OK);
        await Check(client.GetAsync($"/api/jobs/schedules/{name}"), "get", "/api/jobs/schedules/{name}", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/jobs/schedules/none-such"), "get", "/api/jobs/schedules/{name}", HttpStatusCode.NotFound);
        await Check(client.PutAsync($"/api/jobs/schedules/{name}", Json(new { cron = "0 4 * * *", type = "webhook", payload = webhook })), "put", "/api/jobs/schedules/{name}", HttpStatusCode.OK);
        await Check(client.PutAsync("/api/jobs/schedules/none-such", Json(new { cron = "0 4 * * *", type = "webhook", payload = webhook })), "put", "/api/jobs/schedules/{name}", HttpStatusCode.NotFound);
        await Check(client.PostAsync($"/api/jobs/schedules/{name}/disable", null), "post", "/api/jobs/schedules/{name}/disable", HttpStatusCode.OK);
        await Check(client.PostAsync($"/api/jobs/schedules/{name}/enable", null), "post", "/api/jobs/schedules/{name}/enable", HttpStatusCode.OK);
        await Check(client.PostAsync("/api/jobs/schedules/none-such/enable", null), "post", "/api/jobs/schedules/{name}/enable", HttpStatusCode.NotFound);
        await Check(client.PostAsync($"/api/jobs/schedules/{name}/trigger", null), "post", "/api/jobs/schedules/{name}/trigger", HttpStatusCode.Created);
        await Check(client.PostAsync("/api/jobs/schedules/none-such/trigger", null), "post", "/api/jobs/schedules/{name}/trigger", HttpStatusCode.NotFound);
        await Check(client.DeleteAsync($"/api/jobs/schedules/{name}"), "delete", "/api/jobs/schedules/{name}", HttpStatusCode.NoContent);
        await Check(client.DeleteAsync($"/api/jobs/schedules/{name}"), "delete", "/api/jobs/schedules/{name}", HttpStatusCode.NotFound);

        // Pauses.
        await Check(client.PostAsync($"/api/jobs/queues/{queue}/pause", null), "post", "/api/jobs/queues/{name}/pause", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/jobs/pauses"), "get", "/api/jobs/pauses", HttpStatusCode.OK);
        await Check(client.PostAsync($"/api/jobs/queues/{queue}/resume", null), "post", "/api/jobs/queues/{name}/resume", HttpStatusCode.NoContent);
        await Check(client.PostAsync("/api/jobs/types/nope/pause", null), "post", "/api/jobs/types/{name}/pause", HttpStatusCode.BadRequest);
        await Check(client.PostAsync("/api/jobs/types/webhook/resume", null), "post", "/api/jobs/types/{name}/resume", HttpStatusCode.NoContent);

        // The CRM.
        await Check(client.GetAsync("/api/customers"), "get", "/api/customers", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/customers?limit=many"), "get", "/api/customers", HttpStatusCode.BadRequest);
        await Check(client.GetAsync("/api/customers/987654321"), "get", "/api/customers/{id}", HttpStatusCode.NotFound);
        await Check(client.PatchAsync("/api/customers/987654321", Json(new { phone = "+1 415 555 0100" })), "patch", "/api/customers/{id}", HttpStatusCode.NotFound);
        await Check(client.PostAsync("/api/customers/987654321/enrich", null), "post", "/api/customers/{id}/enrich", HttpStatusCode.NotFound);
        await Check(client.GetAsync("/api/scans"), "get", "/api/scans", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/scans/987654321"), "get", "/api/scans/{id}", HttpStatusCode.NotFound);
        await Check(client.PostJsonAsync("/api/scans", new { scanType = "business_card", imageUrl = "https://example.com/card.png" }), "post", "/api/scans", HttpStatusCode.ServiceUnavailable);
        var report = await Check(client.PostJsonAsync("/api/reports", new { type = "customers", format = "csv" }), "post", "/api/reports", HttpStatusCode.Accepted);
        await Check(client.PostJsonAsync("/api/reports", new { type = "everything" }), "post", "/api/reports", HttpStatusCode.BadRequest);
        await Check(client.GetAsync($"/api/reports/{report.Long("reportId")}"), "get", "/api/reports/{id}", HttpStatusCode.OK);
        await Check(client.GetAsync($"/api/reports/{report.Long("reportId")}/download"), "get", "/api/reports/{id}/download", HttpStatusCode.Conflict);
        await Check(client.GetAsync("/api/reports/987654321"), "get", "/api/reports/{id}", HttpStatusCode.NotFound);
        await Check(client.GetAsync("/api/reports"), "get", "/api/reports", HttpStatusCode.OK);
        using var form = new MultipartFormDataContent();
        var csv = new ByteArrayContent(Encoding.UTF8.GetBytes("email,name\nana@example.com,Ana\n"));
        csv.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(csv, "file", "customers.csv");
        var import = await Check(client.PostAsync("/api/imports", form), "post", "/api/imports", HttpStatusCode.Accepted);
        await Check(client.GetAsync($"/api/imports/{import.Long("importId")}"), "get", "/api/imports/{id}", HttpStatusCode.OK);
        await Check(client.GetAsync($"/api/imports/{import.Long("importId")}/rejected"), "get", "/api/imports/{id}/rejected", HttpStatusCode.OK);
        await Check(client.GetAsync("/api/imports/987654321"), "get", "/api/imports/{id}", HttpStatusCode.NotFound);
        await Check(client.GetAsync("/api/imports"), "get", "/api/imports", HttpStatusCode.OK);
        await Check(client.PostRawAsync("/api/imports", "{}"), "post", "/api/imports", HttpStatusCode.UnsupportedMediaType);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");

    private static void NoDotNetNames(JsonElement problem)
    {
        var text = problem.GetRawText();
        foreach (var name in new[] { "System.", "Leora.", "Nullable", "Int32", "`1", "Args'" })
            Assert.False(text.Contains(name, StringComparison.Ordinal), $"The answer names a .NET type ({name}): {text}");
    }

    /// <summary>Asserts the answer's status is <paramref name="expected"/>, that the document declares it for the operation, and that the body matches its schema.</summary>
    private async Task<JsonElement> Check(Task<HttpResponseMessage> call, string method, string path, HttpStatusCode expected)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        var code = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(response.StatusCode == expected, $"{method.ToUpperInvariant()} {path}: expected {(int)expected}, got {code}: {text}");
        var operation = default(JsonElement);
        Assert.True(_document.GetProperty("paths").TryGetProperty(path, out var item) && item.TryGetProperty(method, out operation),
            $"{method.ToUpperInvariant()} {path} is not in the document");
        Assert.True(operation.GetProperty("responses").TryGetProperty(code, out var declared),
            $"{method.ToUpperInvariant()} {path} answered {code}, which the document does not declare: {text}");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!declared.TryGetProperty("content", out var content))
        {
            Assert.True(text.Length == 0, $"{method.ToUpperInvariant()} {path} {code} declares no body but sent one: {text}");
            return default;
        }
        Assert.True(mediaType is not null && content.TryGetProperty(mediaType, out _),
            $"{method.ToUpperInvariant()} {path} {code} answered {mediaType}, not a media type the document declares ({string.Join(", ", content.EnumerateObject().Select(p => p.Name))})");
        if (!mediaType!.Contains("json", StringComparison.Ordinal)) return default;
        var pointer = $"#/paths/{Escape(path)}/{method}/responses/{code}/content/{Escape(mediaType)}/schema";
        using var body = JsonDocument.Parse(text);
        var results = Evaluate(pointer, text);
        Assert.True(results.IsValid, $"{method.ToUpperInvariant()} {path} {code}: the body does not match the document's schema: " +
            $"{string.Join("; ", Failures(results))}\n{text}");
        return body.RootElement.Clone();
    }

    private EvaluationResults Evaluate(string pointer, string json)
    {
        var schema = JsonSchema.FromText($$"""{"$ref": "{{DocumentUri}}{{pointer}}"}""", _build);
        using var instance = JsonDocument.Parse(json);
        return schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static IEnumerable<string> Failures(EvaluationResults results) =>
        (results.Details ?? []).Append(results).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Value}")).Take(10);

    private static string Escape(string segment) => Uri.EscapeDataString(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
}
