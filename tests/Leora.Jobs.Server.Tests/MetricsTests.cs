using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// <c>/metrics</c> of a real <c>leora-jobs serve</c> (issue 13): Prometheus text that promtool accepts, with the documented
/// instruments, behind its access rule (an API key, full or read-only, or an address of its own), off by default.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    private const string Key = "metrics-test-key-5b21c9e0";
    private const string ReadOnlyKey = "metrics-viewer-key-77d0a3";
    private readonly TempSqlite _db = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _db.Dispose();
    }

    private Dictionary<string, string?> Env(params (string Key, string Value)[] more)
    {
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Jobs"] = _db.ConnectionString,
            ["JOB_PROCESSOR_API_KEY"] = Key,
            ["Jobs__Dashboard__ReadOnlyKeys"] = ReadOnlyKey,
            ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        };
        foreach (var (k, v) in more) env[k] = v;
        return env;
    }

    [Fact]
    public async Task Metrics_output_passes_promtool_check_metrics_and_has_the_documented_series()
    {
        var promtool = await RunAsync("bash", ["-c", "command -v promtool"], _db.Directory);
        Assert.True(promtool.ExitCode == 0,
            "promtool is missing: './build.sh test' installs it (Debian's prometheus package), or apt-get install prometheus.");

        // A concurrency limit on the webhook type and a rate limit on the "later" queue (written at start), and two pauses.
        await using var server = await LeoraJobsProcess.StartAsync(_db.Directory, Env(("Jobs__Metrics__Enabled", "true"),
                ("Jobs__Limits__Types__webhook__Concurrency", "2"), ("Jobs__Limits__Queues__later__Rate", "100")),
            "serve", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        foreach (var pause in new[] { "/api/jobs/queues/later/pause", "/api/jobs/types/bulk_import/pause" })
            using (var paused = await http.PostAsync(pause, null))
                Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var done = await EnqueueAsync(http, new { type = "webhook", payload = new { url = _receiver.IpUrl("/ok"), method = "POST" } });
        await EnqueueAsync(http, new { type = "webhook", payload = new { url = _receiver.IpUrl("/ok"), method = "POST" }, delaySeconds = 3600, queue = "later" });
        await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{done}")).GetProperty("status").GetString(),
            s => s == "completed", TimeSpan.FromMinutes(1), "the webhook job to complete");

        // The counters of the finished attempt and the gauges of the scheduled job, read at one scrape.
        var text = await Eventually.WaitAsync(() => http.GetStringAsync("/metrics"),
            t => Has(t, "leora_jobs_attempts_total", "1", ("job_type", "webhook"), ("job_outcome", "completed"))
                && Has(t, "leora_jobs_queue_jobs", "1", ("job_queue", "later"), ("job_status", "pending")),
            TimeSpan.FromMinutes(1), "/metrics to show the attempt and the scheduled job");
        var file = Path.Combine(_db.Directory, "metrics.txt");
        await File.WriteAllTextAsync(file, text);
        var check = await RunAsync("bash", ["-c", "promtool check metrics < metrics.txt"], _db.Directory);
        Assert.True(check.ExitCode == 0, $"{check}\n--- /metrics\n{text}");

        Assert.True(Has(text, "leora_jobs_enqueued_total", "2", ("job_type", "webhook")), text);
        Assert.True(Has(text, "leora_jobs_duration_seconds_count", "1", ("job_type", "webhook"), ("job_outcome", "completed")), text);
        Assert.True(Has(text, "leora_jobs_lag_seconds_count", "1", ("job_type", "webhook")), text);
        Assert.True(Has(text, "leora_jobs_store_duration_seconds_count", null, ("db_operation", "JobClaim")), text);
        Assert.True(Has(text, "leora_jobs_jobs", "1", ("job_status", "completed")), text);
        Assert.True(Has(text, "leora_jobs_jobs", "1", ("job_status", "pending")), text);
        Assert.True(Has(text, "leora_jobs_jobs", "0", ("job_status", "failed")), text);
        Assert.True(Has(text, "leora_jobs_type_jobs", "1", ("job_type", "webhook"), ("job_status", "pending")), text);
        Assert.True(Has(text, "leora_jobs_scheduled", "1"), text);
        Assert.True(Has(text, "leora_jobs_due", "0"), text);
        Assert.True(Has(text, "leora_jobs_oldest_due_age_seconds", "0"), text);
        // Pauses: 1 for a paused queue or type, 0 for one with unfinished jobs that is not paused.
        Assert.True(Has(text, "leora_jobs_queue_paused", "1", ("job_queue", "later")), text);
        Assert.True(Has(text, "leora_jobs_type_paused", "1", ("job_type", "bulk_import")), text);
        Assert.True(Has(text, "leora_jobs_type_paused", "0", ("job_type", "webhook")), text);
        // Limits: each setting and its usage, labelled by the limit's type or queue.
        Assert.True(Has(text, "leora_jobs_limit_concurrency", "2", ("job_type", "webhook")), text);
        Assert.True(Has(text, "leora_jobs_limit_running", "0", ("job_type", "webhook")), text);
        Assert.True(Has(text, "leora_jobs_limit_keys_running", "0", ("job_type", "webhook")), text);
        Assert.True(Has(text, "leora_jobs_limit_rate", "100", ("job_queue", "later")), text);
        Assert.True(Has(text, "leora_jobs_limit_rate_started", "0", ("job_queue", "later")), text);
        Assert.True(Has(text, "leora_jobs_limit_rate_period_seconds", "60", ("job_queue", "later")), text);
        Assert.False(Has(text, "leora_jobs_limit_rate", null, ("job_type", "webhook")), text);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Metrics_on_the_service_address_need_an_API_key_and_accept_a_read_only_one()
    {
        await using var server = await LeoraJobsProcess.StartAsync(_db.Directory, Env(("Jobs__Metrics__Enabled", "true")),
            "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };

        async Task RefusedAsync(HttpRequestMessage request, string detail)
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detail, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("leora_jobs", body, StringComparison.Ordinal);
        }
        await RefusedAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics"), "An API key is required");
        await RefusedAsync(Get("/metrics", ("x-api-key", "not-" + Key)), "not valid");
        await RefusedAsync(Get("/metrics", ("x-api-key", ReadOnlyKey), ("Authorization", "Bearer wrong")), "not valid");

        foreach (var header in new[] { ("x-api-key", ReadOnlyKey), ("Authorization", $"Bearer {Key}") })
        {
            using var response = await http.SendAsync(Get("/metrics", header));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("# TYPE leora_jobs_jobs gauge", body, StringComparison.Ordinal);
        }
        // A read-only key reads metrics, not the API.
        using (var api = await http.SendAsync(Get("/api/jobs/stats", ("x-api-key", ReadOnlyKey))))
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Metrics_on_an_address_of_their_own_need_no_key_and_that_address_serves_nothing_else()
    {
        var metricsPort = FreePort();
        await using var server = await LeoraJobsProcess.StartAsync(_db.Directory, Env(("Jobs__Metrics__Url", $"http://127.0.0.1:{metricsPort}")),
            "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        var address = await server.AddressAsync();
        Assert.DoesNotContain($":{metricsPort}", address, StringComparison.Ordinal);
        Assert.Contains(server.Out, l => l == $"Metrics: http://127.0.0.1:{metricsPort}/metrics (no key; nothing else answers there)");
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        using var service = new HttpClient { BaseAddress = new Uri(address) };

        using (var scrape = await metrics.GetAsync("/metrics"))
        {
            var body = await scrape.Content.ReadAsStringAsync();
            Assert.True(scrape.StatusCode == HttpStatusCode.OK, $"{(int)scrape.StatusCode}: {body}");
            Assert.Contains("# TYPE leora_jobs_jobs gauge", body, StringComparison.Ordinal);
        }
        // The metrics address is not a second door to the API or the dashboard, even with a key...
        foreach (var path in new[] { "/api/jobs/stats", "/jobs/", "/health/live" })
            using (var other = await metrics.SendAsync(Get(path, ("x-api-key", Key))))
                Assert.True(other.StatusCode == HttpStatusCode.NotFound, $"{path} on the metrics address answered {(int)other.StatusCode}");
        // ...and the service's address no longer serves metrics, even with a key.
        using (var there = await service.SendAsync(Get("/metrics", ("x-api-key", Key))))
            Assert.Equal(HttpStatusCode.NotFound, there.StatusCode);
        using (var api = await service.SendAsync(Get("/api/jobs/stats", ("x-api-key", Key))))
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task Metrics_are_off_by_default()
    {
        await using var server = await LeoraJobsProcess.StartAsync(_db.Directory, Env(), "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        using var response = await http.SendAsync(Get("/metrics", ("x-api-key", Key)));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain(server.Out, l => l.StartsWith("Metrics:", StringComparison.Ordinal));
        Assert.Equal(0, await server.StopAsync());
    }

    /// <summary>Whether <paramref name="text"/> has a sample of <paramref name="metric"/> with these labels (others may be there too) and value (null: any).</summary>
    private static bool Has(string text, string metric, string? value, params (string Name, string Value)[] labels) =>
        text.Split('\n').Any(line =>
        {
            var m = Sample().Match(line);
            if (!m.Success || m.Groups[1].Value != metric || (value is not null && m.Groups[3].Value != value)) return false;
            var present = Label().Matches(m.Groups[2].Value).Select(l => (l.Groups[1].Value, l.Groups[2].Value)).ToHashSet();
            return labels.All(present.Contains);
        });

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"")]
    private static partial Regex Label();

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static async Task<long> EnqueueAsync(HttpClient http, object job)
    {
        using var response = await http.PostAsJsonAsync("/api/jobs", job);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>A port free now (the system's pick), for an address the test must name before the service binds it.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
