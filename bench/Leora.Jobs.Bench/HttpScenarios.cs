using System.Diagnostics;
using Leora.Jobs.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Leora.Jobs.Bench;

/// <summary>
/// The HTTP path as users take it: the leora-jobs web service (the composition of <c>serve --no-worker</c>) on Kestrel at
/// 127.0.0.1, driven by HttpClient connections from this process. Single enqueues at 1, 4 and 32 connections, bulk
/// enqueues of 1,000 jobs per request, and <c>POST /api/jobs/process?maxJobs=100</c> of no-op jobs. The load generator
/// shares the machine's cores with the service, as wrk would.
/// </summary>
internal sealed class HttpScenarios(Target target, Report report, BenchSettings settings)
{
    private const string Key = "bench-key-0123456789abcdef0123";
    private string S => target.Store;

    public async Task RunAsync(CancellationToken ct)
    {
        await target.ResetAsync(ct);
        string[] store = target.Store == "postgresql"
            ? ["--Jobs:Provider=postgresql", $"--ConnectionStrings:Jobs={target.Connection}", $"--Jobs:PostgreSql:Schema={target.Schema}"]
            : [$"--ConnectionStrings:Jobs={target.Connection}"];
        await using var receiver = await StartReceiverAsync(ct);
        var (app, _) = ServerHost.BuildWebApp([
            "--urls=http://127.0.0.1:0", "--Jobs:Worker:Enabled=false", $"--JOB_PROCESSOR_API_KEY={Key}", "--Jobs:Webhook:AllowedHosts:0=127.0.0.1",
            "--Logging:LogLevel:Default=Warning", "--Jobs:Metrics:Enabled=false", .. store]);
        await app.StartAsync(ct);
        try
        {
            var url = new Uri(app.Urls.First());
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var http = new HttpClient(handler) { BaseAddress = url };
            http.DefaultRequestHeaders.Add("x-api-key", Key);
            var one = new { type = "webhook", payload = new { url = "http://localhost:9/bench" }, queue = "bench-http" };
            // Sent as bytes with a Content-Length, as wrk, curl and a browser's fetch send a JSON body. (PostAsJsonAsync
            // streams it chunked: three writes per request, and the service reads the body in pieces.)
            var single = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(one);
            // Warm-up: a service runs for hours, so the loops time it after tiered compilation has reached its hot paths
            // (one request left the first loop paying for the JIT: a third of the CPU samples in the compiler thread).
            await Expect(await PostAsync(http, "/api/jobs", single, ct), 201);
            await Scenarios.WarmUpAsync(async () =>
            {
                await Expect(await PostAsync(http, "/api/jobs", single, ct), 201);
                await Expect(await http.GetAsync("/health/live", ct), 200);
            }, ct);

            // The service's own CPU with no request at all (its background services), over a window of 3 s: a cost that
            // per request would weigh most at one connection, where requests are fewest.
            Report.Progress($"{S}: http: the service idle for 3 s");
            var idle = CpuMeter.Start();
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            var idleCpu = idle.Stop();
            report.Add("http", S, "http_idle_process_cpu", 100 * idleCpu.ProcessSeconds / 3, "% of a core",
                note: "this process (the service and the idle load generator) over 3 s with no request, after the warm-up");

            // Each concurrency with the HTTP layer's own ceiling beside it: GET /health/live, Kestrel, routing and the
            // load generator, no database and no key.
            foreach (var connections in new[] { 1, 4, 32 })
            {
                var r = await Scenarios.TimedLoopAsync(connections, settings.EnqueueSeconds, async () =>
                    await Expect(await PostAsync(http, "/api/jobs", single, ct), 201), ct);
                report.Add("http", S, $"http_single_{connections}_conn", r, "jobs/s",
                    note: "POST /api/jobs; goal: >= 80% of the in-process library's single enqueue at the same concurrency (enqueue figures)");
                var live = await Scenarios.TimedLoopAsync(connections, settings.EnqueueSeconds, async () => await Expect(await http.GetAsync("/health/live", ct), 200), ct);
                report.Add("http", S, $"http_health_live_{connections}_conn", live, "req/s",
                    note: "GET /health/live: Kestrel and the load generator, no database");
            }

            // 1,000 jobs per request: the body serialised once, sent as bytes, as a client with its rows ready would.
            var bulk = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { jobs = Enumerable.Range(0, 1000).Select(_ => one).ToArray() });
            await Expect(await PostAsync(http, "/api/jobs/bulk", bulk, ct), 200);
            foreach (var connections in new[] { 1, 4 })
            {
                var requests = await Scenarios.TimedLoopAsync(connections, settings.EnqueueSeconds, async () =>
                    await Expect(await PostAsync(http, "/api/jobs/bulk", bulk, ct), 200), ct);
                report.Add("http", S, $"http_bulk_1000_{connections}_conn", requests, "jobs/s", scale: 1000, atLeast: 20_000,
                    note: "POST /api/jobs/bulk with 1,000 jobs per request; CPU per request of 1,000");
            }

            await ProcessAsync(http, new Uri(receiver.Urls.First()), ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    // POST /api/jobs/process?maxJobs=100 over a backlog of webhook jobs whose receiver (on 127.0.0.1, in this process)
    // answers 200 at once: the nearest to a no-op job that the service's own job types allow.
    private async Task ProcessAsync(HttpClient http, Uri receiver, CancellationToken ct)
    {
        const int calls = 30;
        var job = new { type = "webhook", payload = new { url = new Uri(receiver, "/ok").ToString() }, queue = "bench-process" };
        var bulk = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { jobs = Enumerable.Range(0, 1000).Select(_ => job).ToArray() });
        for (var i = 0; i < (calls + 1) * 100 / 1000 + 1; i++) await Expect(await PostAsync(http, "/api/jobs/bulk", bulk, ct), 200);
        await Expect(await http.PostAsync("/api/jobs/process?maxJobs=100&queue=bench-process", null, ct), 200); // warm-up
        var times = new List<double>(calls);
        for (var i = 0; i < calls; i++)
        {
            var sw = Stopwatch.StartNew();
            await Expect(await http.PostAsync("/api/jobs/process?maxJobs=100&queue=bench-process", null, ct), 200);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        report.Add("http", S, "http_process_100_p50", times[times.Count / 2], "ms", atMost: 50,
            note: "POST /api/jobs/process?maxJobs=100, webhook jobs to a local receiver answering 200");
        report.Add("http", S, "http_process_100_p99", times[^1], "ms", note: $"the slowest of {calls} calls");
    }

    /// <summary>A receiver for the process scenario's webhook jobs: answers 200 to every POST.</summary>
    private static async Task<WebApplication> StartReceiverAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        var receiver = builder.Build();
        receiver.MapPost("/ok", () => Results.Ok());
        await receiver.StartAsync(ct);
        return receiver;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, byte[] json, CancellationToken ct)
    {
        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return await http.PostAsync(path, content, ct);
    }

    private static async Task Expect(HttpResponseMessage response, int status)
    {
        using (response)
        {
            if ((int)response.StatusCode != status)
                throw new InvalidOperationException($"expected {status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
