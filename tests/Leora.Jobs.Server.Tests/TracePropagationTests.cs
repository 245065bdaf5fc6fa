using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// A trace crosses processes with the job (issue 13): a request that enqueues through the service's HTTP API starts it,
/// and the attempt's span, in a separate <c>leora-jobs work</c> process, is its descendant. Both processes export with
/// OTLP, switched on by OTEL_EXPORTER_OTLP_ENDPOINT alone, to a receiver on 127.0.0.1.
/// </summary>
public sealed class TracePropagationTests
{
    private const string Key = "trace-test-key-0c4e19";
    private const int Server = 2, Producer = 4, Consumer = 5;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_attempt_span_in_a_worker_process_descends_from_the_HTTP_request_that_enqueued_the_job(string provider)
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var db = TestDatabase.Create(provider, "trace");
        using var folder = new TempSqlite();
        Dictionary<string, string?> Env(string service)
        {
            var env = db.ServerEnvironment().ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
            env["JOB_PROCESSOR_API_KEY"] = Key;
            env["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1";
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Endpoint;
            env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            env["OTEL_BSP_SCHEDULE_DELAY"] = "100";
            env["OTEL_SERVICE_NAME"] = service;
            return env;
        }

        await using var server = await LeoraJobsProcess.StartAsync(folder.Directory, Env("trace-service"), "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await server.AddressAsync()) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        // The caller's own span: the trace starts outside the service, as behind a traced front end.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpan = ActivitySpanId.CreateRandom().ToHexString();
        using var enqueue = new HttpRequestMessage(HttpMethod.Post, "/api/jobs")
        {
            Content = JsonContent.Create(new { type = "webhook", payload = new { url = receiver.IpUrl("/ok"), method = "POST" } }),
        };
        enqueue.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        using var enqueued = await http.SendAsync(enqueue);
        var body = await enqueued.Content.ReadAsStringAsync();
        Assert.True(enqueued.StatusCode == HttpStatusCode.Created, $"{(int)enqueued.StatusCode}: {body}");
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();

        await using var worker = await LeoraJobsProcess.StartAsync(folder.Directory, Env("trace-worker"), "work");
        await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("status").GetString(),
            s => s == "completed", TimeSpan.FromMinutes(1), "the worker process to complete the job");

        // The attempt's span and the chain of its ancestors, up to the caller's span, as the two processes exported them.
        List<ReceivedSpan> Chain()
        {
            var inTrace = otlp.Spans.Where(s => s.TraceId == traceId).GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
            if (inTrace.Values.FirstOrDefault(s => s.Name == "job webhook") is not { } attempt) return [];
            var chain = new List<ReceivedSpan> { attempt };
            while (inTrace.TryGetValue(chain[^1].ParentSpanId, out var parent) && chain.Count < 20) chain.Add(parent);
            return chain;
        }
        var chain = await Eventually.WaitAsync(() => Task.FromResult(Chain()), c => c.Count > 0 && c[^1].ParentSpanId == callerSpan,
            TimeSpan.FromMinutes(1), $"the attempt's span to reach the caller's span through the service's spans: {Describe(otlp)}");

        var attempt = chain[0];
        Assert.Equal(("trace-worker", "Leora.Jobs", Consumer), (attempt.Service, attempt.Scope, attempt.Kind));
        var producer = Assert.Single(chain, s => s.Name == "enqueue webhook");
        Assert.Equal(("trace-service", Producer), (producer.Service, producer.Kind));
        Assert.Equal(producer.SpanId, attempt.ParentSpanId);
        Assert.Contains((traceId, producer.SpanId), attempt.Links);
        // The request's own span (ASP.NET Core's instrumentation) is the chain's top, the caller's child.
        Assert.Equal(("trace-service", Server), (chain[^1].Service, chain[^1].Kind));
        // The service ran no attempt: the trace crossed to the worker process through the job's row.
        Assert.DoesNotContain(otlp.Spans, s => s.Service == "trace-service" && s.Name == "job webhook");
        if (provider == "postgresql")
            await Eventually.WaitAsync(() => Task.FromResult(otlp.Spans.Any(s => s.Service == "trace-worker" && s.Scope == "Npgsql")),
                TimeSpan.FromMinutes(1), "Npgsql's own spans from the worker");

        Assert.Equal(0, await worker.StopAsync());
        Assert.Equal(0, await server.StopAsync());
    }

    private static string Describe(OtlpReceiver otlp) =>
        string.Join("; ", otlp.Spans.Take(50).Select(s => $"{s.Service}/{s.Scope} {s.Name} {s.TraceId[..8]} {s.SpanId}<-{s.ParentSpanId}"));
}
