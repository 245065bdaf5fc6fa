using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The database round trips of one <c>POST /api/jobs</c> on PostgreSQL, counted from Npgsql's own trace of every command
/// (its <c>Npgsql</c> activity source) within the request's trace: the insert answers with the job's row, so the reply
/// needs no second statement. The wake-up notification for other nodes (<c>pg_notify</c>, sent after the commit and
/// coalesced per process) is counted apart.
/// </summary>
public sealed class EnqueueRoundTripTests(PostgreSqlServiceFixture fixture) : IClassFixture<PostgreSqlServiceFixture>, IDisposable
{
    private readonly LeoraService _service = fixture.Service;
    private readonly ConcurrentQueue<Activity> _commands = new();
    private ActivityListener? _listener;

    private void Listen()
    {
        // The hosting source makes ASP.NET Core start the request's activity (with the traceparent the test sends);
        // Npgsql's commands are its children, and so carry the test's own trace id whatever else runs in parallel.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == "Npgsql") _commands.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener?.Dispose();

    private static string Statement(Activity a) =>
        a.TagObjects.Where(t => t.Key is "db.statement" or "db.query.text").Select(t => t.Value as string).FirstOrDefault(s => s is not null)
        ?? a.DisplayName;

    private async Task<List<string>> StatementsOfOneEnqueueAsync(HttpClient client, object body)
    {
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return [.. _commands.Where(a => a.TraceId == trace).Select(Statement).Where(s => !s.Contains("pg_notify", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task An_http_enqueue_is_one_statement_on_postgresql()
    {
        Listen();
        using var client = _service.WithKey();
        var queue = "rt" + Guid.NewGuid().ToString("N")[..12];
        var job = new { type = "webhook", payload = new { url = "http://localhost:9/round-trip" }, queue };
        await StatementsOfOneEnqueueAsync(client, job); // warm-up: the pool's first connection, the prepared statement

        var statements = await StatementsOfOneEnqueueAsync(client, job);
        var insert = Assert.Single(statements);
        Assert.Contains("INSERT INTO", insert, StringComparison.Ordinal);
        Assert.Contains("RETURNING", insert, StringComparison.Ordinal);

        // An idempotent repeat finds the existing job: the insert that wrote nothing, then the read by key.
        var keyed = new { type = "webhook", payload = new { url = "http://localhost:9/round-trip" }, queue, idempotencyKey = "rt-" + Guid.NewGuid().ToString("N") };
        Assert.Single(await StatementsOfOneEnqueueAsync(client, keyed));
        Assert.Equal(2, (await StatementsOfOneEnqueueAsync(client, keyed)).Count);
    }
}
