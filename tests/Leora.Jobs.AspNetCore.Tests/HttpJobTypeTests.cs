using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Leora.Jobs.Server;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using StandardWebhooks;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// HTTP job types (issue 15, part 4; docs/http-job-types.md) in the real service, against real endpoints on a local Kestrel
/// receiver: the signed envelope (verified with the StandardWebhooks library), each answer's outcome, the 202 flow with its
/// callbacks and their fencing, and the payload schema at enqueue. Jobs run through the batch endpoint, each test in its own queue.
/// </summary>
public abstract class HttpJobTypeTests(HttpJobFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..12];

    private async Task<long> EnqueueAsync(HttpClient client, string type, string queue, object payload)
    {
        var created = await (await client.PostJsonAsync("/api/jobs", new { type, payload, queue })).ExpectAsync(HttpStatusCode.Created);
        return created.Long("id");
    }

    private static async Task<JsonElement> ProcessAsync(HttpClient client, string queue) =>
        await (await client.PostAsync($"/api/jobs/process?queue={queue}", null)).ExpectAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> JobAsync(HttpClient client, long id) =>
        await (await client.GetAsync($"/api/jobs/{id}")).ExpectAsync(HttpStatusCode.OK);

    /// <summary>The envelopes the endpoint got for job <paramref name="id"/>, in order.</summary>
    private List<(ReceivedRequest Request, JsonElement Envelope)> Envelopes(long id) =>
    [
        .. _receiver.Requests.Where(r => r.Path.StartsWith("/endpoint/", StringComparison.Ordinal))
            .Select(r => (r, JsonDocument.Parse(r.Body).RootElement.Clone()))
            .Where(e => e.Item2.Long("id") == id),
    ];

    private static HttpClient Callback(LeoraService service, string token)
    {
        var client = service.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string CallbackPath(JsonElement envelope) => new Uri(envelope.GetProperty("callback").Str("url")).AbsolutePath;

    [Fact]
    public async Task The_envelope_is_signed_per_Standard_Webhooks_and_a_2xx_JSON_answer_completes_the_job_with_it()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var before = DateTimeOffset.UtcNow;
        var id = await EnqueueAsync(client, "test.ok", tag, new { orderId = 42, lines = new[] { "a", "b" } });
        var batch = await ProcessAsync(client, tag);
        Assert.Equal("completed", batch.GetProperty("jobs")[0].Str("outcome"));

        var job = await JobAsync(client, id);
        Assert.Equal("completed", job.Str("status"));
        Assert.Equal(42, job.GetProperty("result").GetProperty("echo").Int("orderId"));
        Assert.True(job.GetProperty("result").GetProperty("verified").GetBoolean());

        var (request, envelope) = Assert.Single(Envelopes(id));
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal($"job_{id}_1", request.Headers["webhook-id"]);
        var headers = new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
        new StandardWebhook(fixture.Secret).Verify(request.Body, headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(fixture.Secret).Verify(request.Body.Replace("42", "43", StringComparison.Ordinal), headers));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(HttpJobFixture.NewSecret()).Verify(request.Body, headers));

        Assert.Equal("test.ok", envelope.Str("type"));
        Assert.Equal(1, envelope.Int("attempt"));
        Assert.Equal(3, envelope.Int("maxAttempts"));
        Assert.Equal(42, envelope.GetProperty("payload").Int("orderId"));
        Assert.Equal(JsonValueKind.Null, envelope.GetProperty("previousResult").ValueKind);
        Assert.InRange(envelope.GetProperty("deadline").GetDateTimeOffset(), before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Equal($"{_service.BaseAddress.AbsoluteUri.TrimEnd('/')}/api/jobs/{id}/attempts/1", envelope.GetProperty("callback").Str("url"));
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("callback").Str("token")));
    }

    [Fact]
    public async Task A_4xx_answer_fails_the_job_for_good_with_the_bodys_detail()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.reject", tag, new { customerId = 42 });
        await ProcessAsync(client, tag);
        var job = await JobAsync(client, id);
        Assert.Equal("failed", job.Str("status"));
        Assert.Equal(1, job.Int("attempts"));
        Assert.Equal("customer 42 does not exist", job.GetProperty("errors")[0].Str("message"));
    }

    [Fact]
    public async Task A_429_with_Retry_After_retries_at_that_time()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var before = DateTimeOffset.UtcNow;
        var id = await EnqueueAsync(client, "test.busy", tag, new { });
        var batch = await ProcessAsync(client, tag);
        Assert.Equal("retried", batch.GetProperty("jobs")[0].Str("outcome"));
        var job = await JobAsync(client, id);
        Assert.Equal("pending", job.Str("status"));
        Assert.InRange(job.GetProperty("runAt").GetDateTimeOffset(), before.AddSeconds(115), DateTimeOffset.UtcNow.AddSeconds(125));
        Assert.Contains("429", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_500_retries_with_backoff()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.boom", tag, new { });
        await ProcessAsync(client, tag);
        var job = await JobAsync(client, id);
        Assert.Equal("pending", job.Str("status"));
        Assert.True(job.GetProperty("runAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Contains("500", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Contains("database on fire", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_outlasts_the_types_timeout_is_retried()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.slow", tag, new { });
        var batch = await ProcessAsync(client, tag);
        Assert.Equal("retried", batch.GetProperty("jobs")[0].Str("outcome"));
        var job = await JobAsync(client, id);
        Assert.Equal("pending", job.Str("status"));
        Assert.Contains("did not answer within 1 s", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_202_frees_the_slot_then_progress_and_complete_arrive_through_the_callback()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.defer", tag, new { report = "q4" });
        var batch = await ProcessAsync(client, tag);
        Assert.Equal("deferred", batch.GetProperty("jobs")[0].Str("outcome"));
        var running = await JobAsync(client, id);
        Assert.Equal("processing", running.Str("status"));

        var (_, envelope) = Assert.Single(Envelopes(id));
        var path = CallbackPath(envelope);
        using var endpoint = Callback(_service, envelope.GetProperty("callback").Str("token"));
        await (await endpoint.PostJsonAsync($"{path}/progress", new { progress = 40, message = "rendering" })).ExpectAsync(HttpStatusCode.NoContent);
        var progressed = await JobAsync(client, id);
        Assert.Equal(40, progressed.Int("progress"));
        Assert.Equal("rendering", progressed.Str("progressMessage"));
        Assert.Equal("processing", progressed.Str("status"));

        await (await endpoint.PostJsonAsync($"{path}/complete", new { result = new { url = "https://files.example.com/q4.pdf" } })).ExpectAsync(HttpStatusCode.NoContent);
        var done = await JobAsync(client, id);
        Assert.Equal("completed", done.Str("status"));
        Assert.Equal("https://files.example.com/q4.pdf", done.GetProperty("result").Str("url"));

        // The attempt is over: a second report changes nothing.
        var late = await (await endpoint.PostJsonAsync($"{path}/fail", new { error = "too late", retry = false })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("no longer holds the job", late.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("completed", (await JobAsync(client, id)).Str("status"));
    }

    [Fact]
    public async Task A_deferred_attempt_whose_lease_runs_out_is_retried_and_its_old_token_gets_409()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.expire", tag, new { });
        Assert.Equal("deferred", (await ProcessAsync(client, tag)).GetProperty("jobs")[0].Str("outcome"));

        // Each batch first rescues expired leases: once the 1 s completion timeout has passed, attempt 2 is sent.
        await Eventually.WaitAsync(async () =>
        {
            await ProcessAsync(client, tag);
            return Envelopes(id).Count >= 2;
        }, Wait, "the second attempt after the first one's lease ran out");
        var envelopes = Envelopes(id);
        var (first, second) = (envelopes[0].Envelope, envelopes[1].Envelope);
        Assert.Equal(2, second.Int("attempt"));
        Assert.Equal($"job_{id}_2", envelopes[1].Request.Headers["webhook-id"]);

        using var old = Callback(_service, first.GetProperty("callback").Str("token"));
        await (await old.PostJsonAsync($"{CallbackPath(first)}/progress", new { progress = 90 })).ProblemAsync(HttpStatusCode.Conflict);
        await (await old.PostJsonAsync($"{CallbackPath(first)}/complete", new { result = new { stale = true } })).ProblemAsync(HttpStatusCode.Conflict);
        var job = await JobAsync(client, id);
        Assert.Equal("processing", job.Str("status"));
        Assert.Equal(2, job.Int("attempts"));
        Assert.Equal(JsonValueKind.Null, job.GetProperty("result").ValueKind);

        // The current attempt's token still writes: failing for good ends the job.
        using var current = Callback(_service, second.GetProperty("callback").Str("token"));
        await (await current.PostJsonAsync($"{CallbackPath(second)}/fail", new { error = "template missing", retry = false })).ExpectAsync(HttpStatusCode.NoContent);
        var failed = await JobAsync(client, id);
        Assert.Equal("failed", failed.Str("status"));
        Assert.Contains(failed.GetProperty("errors").EnumerateArray(), e => e.Str("message") == "template missing");
    }

    [Fact]
    public async Task A_fail_report_with_retry_sends_the_job_back_with_backoff()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.defer", tag, new { });
        await ProcessAsync(client, tag);
        var (_, envelope) = Assert.Single(Envelopes(id));
        using var endpoint = Callback(_service, envelope.GetProperty("callback").Str("token"));
        await (await endpoint.PostJsonAsync($"{CallbackPath(envelope)}/fail", new { error = "upstream busy", retry = true })).ExpectAsync(HttpStatusCode.NoContent);
        var job = await JobAsync(client, id);
        Assert.Equal("pending", job.Str("status"));
        Assert.True(job.GetProperty("runAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal("upstream busy", job.GetProperty("errors")[0].Str("message"));
    }

    [Fact]
    public async Task A_wrong_or_missing_token_gets_401_and_changes_nothing()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var a = await EnqueueAsync(client, "test.defer", tag, new { });
        var b = await EnqueueAsync(client, "test.defer", tag, new { });
        await ProcessAsync(client, tag);
        var (_, envelopeA) = Assert.Single(Envelopes(a));
        var (_, envelopeB) = Assert.Single(Envelopes(b));
        var tokenA = envelopeA.GetProperty("callback").Str("token");

        // B's token on A's route, A's token for another attempt number, a forged token, an API key, and no token at all.
        using (var wrongJob = Callback(_service, envelopeB.GetProperty("callback").Str("token")))
            await (await wrongJob.PostJsonAsync($"{CallbackPath(envelopeA)}/complete", new { result = 1 })).ProblemAsync(HttpStatusCode.Unauthorized);
        using (var rightToken = Callback(_service, tokenA))
            await (await rightToken.PostJsonAsync($"/api/jobs/{a}/attempts/2/complete", new { result = 1 })).ProblemAsync(HttpStatusCode.Unauthorized);
        using (var forged = Callback(_service, Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)).Replace('+', '-').Replace('/', '_').TrimEnd('=')))
            await (await forged.PostJsonAsync($"{CallbackPath(envelopeA)}/complete", new { result = 1 })).ProblemAsync(HttpStatusCode.Unauthorized);
        using (var apiKey = _service.WithBearer())
            await (await apiKey.PostJsonAsync($"{CallbackPath(envelopeA)}/complete", new { result = 1 })).ProblemAsync(HttpStatusCode.Unauthorized);
        using (var anonymous = _service.Anonymous())
        {
            var problem = await (await anonymous.PostJsonAsync($"{CallbackPath(envelopeA)}/complete", new { result = 1 })).ProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("Authorization: Bearer", problem.Str("detail"), StringComparison.Ordinal);
        }
        Assert.Equal("processing", (await JobAsync(client, a)).Str("status"));

        using var right = Callback(_service, tokenA);
        await (await right.PostJsonAsync($"{CallbackPath(envelopeA)}/complete", new { })).ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal("completed", (await JobAsync(client, a)).Str("status"));
    }

    [Fact]
    public async Task A_payload_that_does_not_match_the_types_schema_is_refused_with_an_error_per_field()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var response = await client.PostJsonAsync("/api/jobs", new { type = "test.schema", queue = tag, payload = new { customer = new { email = 42 }, items = new object[] { new { qty = 0 } } } });
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("payload.customer.email", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("payload.items[0].qty", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("payload", out var top), errors.ToString());
        Assert.Contains("report", top[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Json.Schema", problem.ToString(), StringComparison.Ordinal);

        await EnqueueAsync(client, "test.schema", tag, new { report = "q4", customer = new { email = "ana@example.com" }, items = new[] { new { qty = 2 } } });
        // Unknown types are still refused, naming the known ones (the HTTP job types among them).
        var unknown = await (await client.PostJsonAsync("/api/jobs", new { type = "test.nope", payload = new { } })).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(unknown.GetProperty("knownTypes").EnumerateArray(), t => t.GetString() == "test.schema");
    }

    [Fact]
    public async Task A_types_configured_schema_is_published_in_the_types_list_and_as_its_branch_of_the_OpenAPI_enqueue_body()
    {
        using var client = _service.WithKey();
        var types = (await (await client.GetAsync("/api/jobs/types")).ExpectAsync(HttpStatusCode.OK)).GetProperty("types").EnumerateArray().ToList();
        var published = types.Single(t => t.Str("type") == "test.schema").GetProperty("payloadSchema");
        Assert.Equal("report", published.GetProperty("required")[0].GetString());
        Assert.Equal(1, published.GetProperty("properties").GetProperty("items").GetProperty("items").GetProperty("properties").GetProperty("qty").GetProperty("minimum").GetInt32());
        // A type without a schema takes any JSON object.
        Assert.Equal("object", types.Single(t => t.Str("type") == "test.ok").GetProperty("payloadSchema").GetProperty("type").GetString());

        using var anonymous = _service.Anonymous();
        var document = await (await anonymous.GetAsync("/openapi/v1.json")).ExpectAsync(HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var mapping = schemas.GetProperty("EnqueueRequest").GetProperty("discriminator").GetProperty("mapping");
        var branch = mapping.GetProperty("test.schema").GetString()!;
        var branchSchema = schemas.GetProperty(branch[(branch.LastIndexOf('/') + 1)..]);
        var payloadRef = branchSchema.GetProperty("properties").GetProperty("payload").GetProperty("$ref").GetString()!;
        var payload = schemas.GetProperty(payloadRef[(payloadRef.LastIndexOf('/') + 1)..]);
        Assert.Equal("report", payload.GetProperty("required")[0].GetString());
        Assert.Equal("string", payload.GetProperty("properties").GetProperty("customer").GetProperty("properties").GetProperty("email").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_cancel_request_for_a_deferred_job_takes_effect_at_its_next_progress_report()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.defer", tag, new { });
        await ProcessAsync(client, tag);
        await (await client.PostAsync($"/api/jobs/{id}/cancel", null)).ExpectAsync(HttpStatusCode.OK);
        var (_, envelope) = Assert.Single(Envelopes(id));
        using var endpoint = Callback(_service, envelope.GetProperty("callback").Str("token"));
        var problem = await (await endpoint.PostJsonAsync($"{CallbackPath(envelope)}/progress", new { progress = 10 })).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("cancelled", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("cancelled", (await JobAsync(client, id)).Str("status"));
    }

    [Fact]
    public async Task The_webhook_job_is_signed_the_same_way_when_Jobs_Webhook_Secret_is_set()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "webhook", tag, new { url = _receiver.Url($"/hook/orders?tag={tag}"), body = new { orderId = 7 } });
        await ProcessAsync(client, tag);
        Assert.Equal("completed", (await JobAsync(client, id)).Str("status"));
        var request = Assert.Single(_receiver.For(tag));
        Assert.Equal($"job_{id}_1", request.Headers["webhook-id"]);
        var headers = new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value)));
        new StandardWebhook(fixture.Secret).Verify(request.Body, headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() =>
            new StandardWebhook(fixture.Secret).Verify(request.Body.Replace("7", "8", StringComparison.Ordinal), headers));
    }

    [Fact]
    public async Task An_endpoint_on_a_non_public_address_is_refused_by_the_SSRF_guard()
    {
        using var client = _service.WithKey();
        var tag = NewTag();
        var id = await EnqueueAsync(client, "test.private", tag, new { });
        await ProcessAsync(client, tag);
        var job = await JobAsync(client, id);
        Assert.Equal("failed", job.Str("status"));
        Assert.Contains("non-public address", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Empty(Envelopes(id));
    }
}

/// <summary>A receiver with one programmed endpoint per behaviour, and the service configured with an HTTP job type for each.</summary>
public abstract class HttpJobFixture(string provider) : IAsyncLifetime
{
    public LeoraService Service { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public string Secret { get; } = NewSecret();

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        Receiver.Endpoints["ok"] = async (request, context) =>
        {
            var verified = true;
            try
            {
                new StandardWebhook(Secret).Verify(request.Body, context.Request.Headers);
            }
            catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
            {
                verified = false;
            }
            using var envelope = JsonDocument.Parse(request.Body);
            await context.Response.WriteAsJsonAsync(new { echo = envelope.RootElement.GetProperty("payload"), verified });
        };
        Receiver.Endpoints["reject"] = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return context.Response.WriteAsJsonAsync(new { title = "Unprocessable", detail = "customer 42 does not exist" });
        };
        Receiver.Endpoints["busy"] = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        };
        Receiver.Endpoints["boom"] = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync("database on fire");
        };
        Receiver.Endpoints["slow"] = async (_, context) =>
        {
            // Answers only when the caller gives up (its 1 s timeout closes the connection).
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        Receiver.Endpoints["defer"] = (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return Task.CompletedTask;
        };

        string[] Type(string name, string endpoint, params string[] more) =>
        [
            $"--Jobs:HttpJobTypes:{name}:Url={Receiver.EndpointUrl(endpoint)}",
            $"--Jobs:HttpJobTypes:{name}:Secret={Secret}",
            $"--Jobs:HttpJobTypes:{name}:MaxAttempts=3",
            .. more.Select(m => $"--Jobs:HttpJobTypes:{name}:{m}"),
        ];
        var schema = """
            {"type":"object","required":["report"],"properties":{"report":{"type":"string"},
             "customer":{"type":"object","properties":{"email":{"type":"string"}}},
             "items":{"type":"array","items":{"type":"object","properties":{"qty":{"type":"integer","minimum":1}}}}}}
            """;
        Service = await LeoraService.StartAsync(provider,
        [
            .. Type("test.ok", "ok"),
            .. Type("test.reject", "reject"),
            .. Type("test.busy", "busy"),
            .. Type("test.boom", "boom"),
            .. Type("test.slow", "slow", "Timeout=1s"),
            .. Type("test.defer", "defer"),
            .. Type("test.expire", "defer", "CompletionTimeout=1s"),
            .. Type("test.schema", "ok", $"PayloadSchema={schema}"),
            $"--Jobs:HttpJobTypes:test.private:Url={Receiver.IpUrl("/endpoint/ok")}",
            $"--Jobs:HttpJobTypes:test.private:Secret={Secret}",
            $"--Jobs:Webhook:Secret={Secret}",
        ]);
    }

    public async Task DisposeAsync()
    {
        if (Service is not null) await Service.DisposeAsync();
        if (Receiver is not null) await Receiver.DisposeAsync();
    }
}

public sealed class SqliteHttpJobFixture() : HttpJobFixture("sqlite");

public sealed class PostgreSqlHttpJobFixture() : HttpJobFixture("postgresql");

public sealed class SqliteHttpJobTypeTests(SqliteHttpJobFixture fixture) : HttpJobTypeTests(fixture), IClassFixture<SqliteHttpJobFixture>;

public sealed class PostgreSqlHttpJobTypeTests(PostgreSqlHttpJobFixture fixture) : HttpJobTypeTests(fixture), IClassFixture<PostgreSqlHttpJobFixture>;

/// <summary>HTTP job types' settings are checked at start, each refusal naming the setting.</summary>
public sealed class HttpJobTypeConfigurationTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static string Refusal(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        return Assert.Throws<ServerConfigurationException>(() => { JobsServices.Add(services, ServerSettings.Read(config), worker: false, config); }).Message;
    }

    [Theory]
    [InlineData("Url", "ftp://example.com/x", "Jobs:HttpJobTypes:t.bad:Url must be an absolute http or https URL")]
    [InlineData("Secret", "not-a-secret", "Jobs:HttpJobTypes:t.bad:Secret must be whsec_ followed by base64")]
    [InlineData("Timeout", "soon", "Jobs:HttpJobTypes:t.bad:Timeout")]
    [InlineData("CompletionTimeout", "0s", "Jobs:HttpJobTypes:t.bad:CompletionTimeout must be positive")]
    [InlineData("MaxAttempts", "0", "Jobs:HttpJobTypes:t.bad:MaxAttempts must be at least 1")]
    [InlineData("PayloadSchema", "[1,2]", "Jobs:HttpJobTypes:t.bad:PayloadSchema must be a JSON Schema object")]
    [InlineData("PayloadSchema", "{\"type\":", "Jobs:HttpJobTypes:t.bad:PayloadSchema is not valid JSON")]
    [InlineData("Colour", "blue", "Jobs:HttpJobTypes:t.bad:Colour is not an HTTP job type setting")]
    public void A_bad_setting_stops_the_service_with_a_message_naming_it(string key, string value, string expected)
    {
        var message = Refusal(new()
        {
            ["Jobs:HttpJobTypes:t.bad:Url"] = "https://example.com/jobs",
            ["Jobs:HttpJobTypes:t.bad:Secret"] = Secret,
            [$"Jobs:HttpJobTypes:t.bad:{key}"] = value,
        });
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_secret_a_bad_public_url_and_a_built_in_name_are_refused()
    {
        Assert.Contains("Jobs:HttpJobTypes:t.bad:Secret is missing",
            Refusal(new() { ["Jobs:HttpJobTypes:t.bad:Url"] = "https://example.com/jobs" }), StringComparison.Ordinal);
        Assert.Contains("Jobs:PublicBaseUrl must be the service's absolute http or https URL",
            Refusal(new() { ["Jobs:PublicBaseUrl"] = "jobs.example.com" }), StringComparison.Ordinal);
        Assert.Contains("the job type 'webhook' is built in or declared twice",
            Refusal(new() { ["Jobs:HttpJobTypes:webhook:Url"] = "https://example.com/jobs", ["Jobs:HttpJobTypes:webhook:Secret"] = Secret }), StringComparison.Ordinal);
    }
}
