using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>The built-in webhook job against a real local receiver, run by the batch endpoint of the real service.</summary>
public abstract class WebhookTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;
    private readonly WebhookReceiver _receiver = fixture.Receiver;

    private static string NewTag() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Enqueues one webhook job in its own queue, runs that queue's batch, and returns the job as stored.</summary>
    private async Task<(JsonElement Job, JsonElement Batch)> RunAsync(string tag, object payload)
    {
        using var client = _service.WithKey();
        var created = await (await client.PostJsonAsync("/api/jobs", new { type = "webhook", payload, queue = tag })).ExpectAsync(HttpStatusCode.Created);
        var batch = await (await client.PostAsync($"/api/jobs/process?queue={tag}", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, batch.Int("processed"));
        var job = await (await client.GetAsync($"/api/jobs/{created.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
        return (job, batch);
    }

    [Fact]
    public async Task A_2xx_answer_completes_the_job_with_status_code_and_duration()
    {
        var tag = NewTag();
        var (job, _) = await RunAsync(tag, new
        {
            url = _receiver.Url($"/ok?tag={tag}"),
            method = "PUT",
            headers = new Dictionary<string, string> { ["X-Signature"] = "abc123" },
            body = new { orderId = 42 },
        });
        Assert.Equal("completed", job.Str("status"));
        Assert.Equal(200, job.GetProperty("result").Int("statusCode"));
        Assert.True(job.GetProperty("result").GetProperty("durationMs").GetDouble() >= 0);

        var request = Assert.Single(_receiver.For(tag));
        Assert.Equal("PUT", request.Method);
        Assert.Equal("abc123", request.Headers["X-Signature"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal(42, JsonDocument.Parse(request.Body).RootElement.GetProperty("orderId").GetInt32());
    }

    [Fact]
    public async Task A_503_with_Retry_After_retries_at_that_time()
    {
        var tag = NewTag();
        var before = DateTimeOffset.UtcNow;
        var (job, batch) = await RunAsync(tag, new { url = _receiver.Url($"/unavailable?tag={tag}"), body = "ping" });
        Assert.Equal("retried", batch.GetProperty("jobs")[0].Str("outcome"));
        Assert.Equal("pending", job.Str("status"));
        Assert.Equal(1, job.Int("attempts"));
        Assert.InRange(job.GetProperty("runAt").GetDateTimeOffset(), before.AddSeconds(115), DateTimeOffset.UtcNow.AddSeconds(125));
        Assert.Contains("503", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Equal("ping", Assert.Single(_receiver.For(tag)).Body);
    }

    [Fact]
    public async Task A_429_with_a_Retry_After_date_retries_at_that_date()
    {
        var tag = NewTag();
        var before = DateTimeOffset.UtcNow;
        var (job, _) = await RunAsync(tag, new { url = _receiver.Url($"/too-many?tag={tag}") });
        Assert.Equal("pending", job.Str("status"));
        Assert.InRange(job.GetProperty("runAt").GetDateTimeOffset(), before.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
    }

    [Fact]
    public async Task A_500_without_Retry_After_retries_with_backoff()
    {
        var tag = NewTag();
        var (job, _) = await RunAsync(tag, new { url = _receiver.Url($"/boom?tag={tag}") });
        Assert.Equal("pending", job.Str("status"));
        Assert.True(job.GetProperty("runAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Contains("500", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_network_error_retries()
    {
        var tag = NewTag();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (job, _) = await RunAsync(tag, new { url = $"http://localhost:{closedPort}/nothing-listens" });
        Assert.Equal("pending", job.Str("status"));
        Assert.Contains("failed", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_4xx_answer_fails_the_job_without_retry()
    {
        var tag = NewTag();
        var (job, batch) = await RunAsync(tag, new { url = _receiver.Url($"/bad?tag={tag}"), body = new { x = 1 } });
        Assert.Equal("failed", batch.GetProperty("jobs")[0].Str("outcome"));
        Assert.Equal("failed", job.Str("status"));
        Assert.Equal(1, job.Int("attempts"));
        var message = job.GetProperty("errors")[0].Str("message");
        Assert.Contains("400", message, StringComparison.Ordinal);
        Assert.Contains("the receiver refused this body", message, StringComparison.Ordinal);
        Assert.Single(_receiver.For(tag));
    }

    [Fact]
    public async Task A_loopback_address_not_in_the_allowed_hosts_is_refused_without_a_request()
    {
        var tag = NewTag();
        var (job, _) = await RunAsync(tag, new { url = _receiver.IpUrl($"/ok?tag={tag}") });
        Assert.Equal("failed", job.Str("status"));
        Assert.Equal(1, job.Int("attempts"));
        Assert.Contains("AllowedHosts", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Empty(_receiver.For(tag));
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_a_non_public_address_is_refused_when_connecting()
    {
        // The machine's own name resolves to one of its addresses: loopback (127.0.1.1) or a private one on a LAN or
        // in a container. Either way the guard must refuse it after resolving it, at connect time.
        var name = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(name);
        Assert.NotEmpty(addresses);
        var tag = NewTag();
        var (job, _) = await RunAsync(tag, new { url = $"http://{name}:{_receiver.Port}/ok?tag={tag}" });
        Assert.Equal("failed", job.Str("status"));
        Assert.Contains("non-public address", job.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Empty(_receiver.For(tag));
    }

    [Fact]
    public async Task A_redirect_to_a_refused_address_is_refused_and_a_redirect_to_an_allowed_host_is_followed()
    {
        var tag = NewTag();
        var target = Uri.EscapeDataString(_receiver.IpUrl($"/ok?tag={tag}-target"));
        var (refused, _) = await RunAsync(tag, new { url = _receiver.Url($"/redirect?tag={tag}&to={target}") });
        Assert.Equal("failed", refused.Str("status"));
        Assert.Contains("non-public", refused.GetProperty("errors")[0].Str("message"), StringComparison.Ordinal);
        Assert.Single(_receiver.For(tag), r => r.Path == "/redirect");
        Assert.Empty(_receiver.For($"{tag}-target"));

        var tag2 = NewTag();
        var allowed = Uri.EscapeDataString(_receiver.Url($"/ok?tag={tag2}-target"));
        var (followed, _) = await RunAsync(tag2, new
        {
            url = _receiver.Url($"/redirect?tag={tag2}&to={allowed}"),
            headers = new Dictionary<string, string> { ["Authorization"] = "Bearer secret" },
            body = "hello",
        });
        Assert.Equal("completed", followed.Str("status"));
        var final = Assert.Single(_receiver.For($"{tag2}-target"));
        Assert.Equal("POST", final.Method);
        Assert.Equal("hello", final.Body);
        Assert.Equal("Bearer secret", final.Headers["Authorization"]);
    }

    [Theory]
    [InlineData("X-Note", "a\r\nHost: evil.example", "control character")]
    [InlineData("X-Note", "a\nX-Smuggled: yes", "control character")]
    [InlineData("X-Note", "a\r\n\r\nGET /admin HTTP/1.1\r\nHost: localhost\r\n\r\n", "control character")]
    [InlineData("X-Note", "nul\0", "NUL character")]
    [InlineData("X-Note", "del\u007F", "control character")]
    [InlineData("X-Note", "caf\u00E9", "non-ASCII")]
    [InlineData("X-Bad\r\nHost", "evil.example", "is not valid")]
    [InlineData("X Bad", "v", "is not valid")]
    [InlineData("X-Bad:", "v", "is not valid")]
    [InlineData("Host", "evil.example", "Host header may not be set")]
    [InlineData("host", "evil.example", "Host header may not be set")]
    public async Task A_header_name_or_value_that_could_split_the_request_is_refused_at_enqueue_naming_the_header(string name, string value, string why)
    {
        var tag = NewTag();
        using var client = _service.WithKey();
        var problem = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url($"/ok?tag={tag}"), headers = new Dictionary<string, string> { [name] = value } },
            queue = tag,
        })).ProblemAsync(HttpStatusCode.BadRequest);

        var field = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.StartsWith("payload.headers", field.Name, StringComparison.Ordinal);
        var message = field.Value[0].GetString()!;
        Assert.Contains(why, message, StringComparison.Ordinal);
        // The message names the header, and never carries a raw line break of its own.
        Assert.Contains(name.Split('\r')[0], message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain('\n', message);
        var list = await (await client.GetAsync($"/api/jobs?queue={tag}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_stored_header_with_CR_LF_fails_the_job_for_good_when_it_runs_and_sends_nothing()
    {
        // Written around the enqueue's validation (by SQL, as an older version or another writer could have): the run
        // checks again, and a payload that no longer binds fails the job at once instead of retrying it.
        var tag = NewTag();
        using var client = _service.WithKey();
        var created = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = _receiver.Url($"/ok?tag={tag}"), headers = new Dictionary<string, string> { ["X-Note"] = "plain" } },
            queue = tag,
        })).ExpectAsync(HttpStatusCode.Created);
        // In JSON text, \r\n is the escape of CR LF: the stored value becomes "a", CR, LF, "X-Smuggled: yes".
        await _service.ExecuteSqlAsync(
            $"UPDATE leora_jobs SET payload = replace(payload, 'plain', 'a\\r\\nX-Smuggled: yes') WHERE queue = '{tag}'",
            $"UPDATE {{schema}}.jobs SET payload = replace(payload::text, 'plain', 'a\\r\\nX-Smuggled: yes')::jsonb WHERE queue = '{tag}'");
        var stored = await (await client.GetAsync($"/api/jobs/{created.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("a\r\nX-Smuggled: yes", stored.GetProperty("payload").GetProperty("headers").Str("X-Note"));

        var batch = await (await client.PostAsync($"/api/jobs/process?queue={tag}", null)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("failed", batch.GetProperty("jobs")[0].Str("outcome"));
        var job = await (await client.GetAsync($"/api/jobs/{created.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("failed", job.Str("status"));
        Assert.Equal(1, job.Int("attempts"));
        var message = job.GetProperty("errors")[0].Str("message");
        Assert.Contains("X-Note", message, StringComparison.Ordinal);
        Assert.Contains("control character", message, StringComparison.Ordinal);
        Assert.Empty(_receiver.For(tag));
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void The_guard_tells_public_from_non_public_addresses(string address, bool isPublic) =>
        Assert.Equal(isPublic, Webhooks.WebhookAddressGuard.IsPublic(IPAddress.Parse(address)));
}
