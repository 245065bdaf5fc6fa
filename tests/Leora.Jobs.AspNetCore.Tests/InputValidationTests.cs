using System.Net;
using System.Text.Json;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// Input that once answered 500 (issue 11): times past what can be read back, text the database cannot store, numbers
/// out of range. Each is refused with a 400 problem naming the field, and nothing is written. Run once per store.
/// </summary>
public abstract class InputValidationTests(ServiceFixture fixture)
{
    private readonly LeoraService _service = fixture.Service;

    private static string NewQueue() => "q" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<int> CountAsync(HttpClient client, string queue)
    {
        var list = await (await client.GetAsync($"/api/jobs?queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        return list.GetProperty("items").GetArrayLength();
    }

    private static async Task ExpectFieldAsync(HttpResponseMessage response, string field)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"the problem does not name {field}: {problem}");
    }

    public static TheoryData<string, string> LateTimes => new()
    {
        // About year 11533: PostgreSQL stored it, then no read of the row could convert it (GET /api/jobs answered 500).
        { "\"delaySeconds\": 3e11", "delaySeconds" },
        // Reads as infinity.
        { "\"delaySeconds\": 1e999999", "delaySeconds" },
        { "\"runAt\": \"9999-06-01T00:00:00Z\"", "runAt" },
    };

    [Theory]
    [MemberData(nameof(LateTimes))]
    public async Task A_time_past_the_latest_a_job_may_run_is_refused_and_nothing_is_written(string member, string field)
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var body = $$"""{"type": "webhook", "payload": {"url": "http://localhost/"}, "queue": "{{queue}}", {{member}}}""";
        await ExpectFieldAsync(await client.PostRawAsync("/api/jobs", body), field);
        Assert.Equal(0, await CountAsync(client, queue));
    }

    [Fact]
    public async Task A_time_just_before_the_latest_is_accepted_and_reads_back()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var job = await (await client.PostJsonAsync("/api/jobs", new
        {
            type = "webhook",
            payload = new { url = "http://localhost/" },
            queue,
            runAt = new DateTimeOffset(9998, 12, 31, 0, 0, 0, TimeSpan.Zero),
        })).ExpectAsync(HttpStatusCode.Created);
        var read = await (await client.GetAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(new DateTimeOffset(9998, 12, 31, 0, 0, 0, TimeSpan.Zero), read.GetProperty("runAt").GetDateTimeOffset());
        await (await client.DeleteAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_stored_time_no_DotNet_time_can_hold_does_not_break_reading_or_listing()
    {
        // Written behind the API's back (by hand, or by a version without the enqueue bound): year 11533 on both stores,
        // and infinity, which only PostgreSQL has.
        using var client = _service.WithKey();
        var queue = NewQueue();
        await _service.ExecuteSqlAsync(
            $$"""
              INSERT INTO leora_jobs (kind, queue, status, payload, max_attempts, created_at, run_at)
              VALUES ('webhook', '{{queue}}', 'pending', '{"url":"http://localhost/"}', 3, 1764547200000, 301796171350027);
              INSERT INTO leora_jobs (kind, queue, status, payload, max_attempts, created_at, run_at)
              VALUES ('webhook', '{{queue}}', 'pending', '{"url":"http://localhost/"}', 3, 1764547200000, -9000000000000000);
              """,
            $$"""
              INSERT INTO "{schema}".jobs (kind, queue, status, payload, max_attempts, run_at)
              VALUES ('webhook', '{{queue}}', 'pending', '{"url":"http://localhost/"}', 3, '11533-06-01 00:00:00+00');
              INSERT INTO "{schema}".jobs (kind, queue, status, payload, max_attempts, run_at)
              VALUES ('webhook', '{{queue}}', 'pending', '{"url":"http://localhost/"}', 3, '-infinity');
              """);

        var list = await (await client.GetAsync($"/api/jobs?queue={queue}")).ExpectAsync(HttpStatusCode.OK);
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        // Read as the nearest time .NET can hold.
        Assert.Equal(DateTimeOffset.MaxValue.Year, items[1].GetProperty("runAt").GetDateTimeOffset().Year);
        Assert.Equal(DateTimeOffset.MinValue.Year, items[0].GetProperty("runAt").GetDateTimeOffset().Year);
        foreach (var item in items)
        {
            await (await client.GetAsync($"/api/jobs/{item.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
            await (await client.DeleteAsync($"/api/jobs/{item.Long("id")}")).ExpectAsync(HttpStatusCode.NoContent);
        }
        await (await client.GetAsync("/api/jobs/stats")).ExpectAsync(HttpStatusCode.OK);
    }

    public static TheoryData<string, string> UnstorableBodies => new()
    {
        // A NUL character: PostgreSQL's text and jsonb refuse it.
        { """ "idempotencyKey": "a\u0000b" """, "idempotencyKey" },
        { """ "payload": {"url": "http://localhost/", "body": "a\u0000b"} """, "payload.body" },
        { """ "payload": {"url": "http://localhost/", "body": {"list": [1, {"note": "x\u0000"}]}} """, "payload.body.list[1].note" },
        { """ "payload": {"url": "http://localhost/", "body": {"a\u0000": 1}} """, "payload.body.a" },
        // An unpaired surrogate: not valid Unicode, on either store.
        { """ "payload": {"url": "http://localhost/", "body": "\ud800"} """, "payload.body" },
        { """ "payload": {"url": "http://localhost/", "body": ["ok", "\udc00x"]} """, "payload.body[1]" },
        // Numbers no double holds: PostgreSQL's numeric overflows (1e999999), and .NET reads them as infinity or 0.
        { """ "payload": {"url": "http://localhost/", "body": 1e999999} """, "payload.body" },
        { """ "payload": {"url": "http://localhost/", "body": {"n": -1e400}} """, "payload.body.n" },
        { """ "payload": {"url": "http://localhost/", "body": {"n": 1e-400}} """, "payload.body.n" },
        // Zero, but PostgreSQL would read it back as 16,385 characters.
        { """ "payload": {"url": "http://localhost/", "body": [0e-16383]} """, "payload.body[0]" },
    };

    [Theory]
    [MemberData(nameof(UnstorableBodies))]
    public async Task Text_or_numbers_the_database_cannot_store_are_refused_naming_the_field(string members, string field)
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var payload = members.Contains("\"payload\"", StringComparison.Ordinal) ? "" : """ "payload": {"url": "http://localhost/"}, """;
        var body = $$"""{"type": "webhook", "queue": "{{queue}}", {{payload}} {{members}}}""";
        await ExpectFieldAsync(await client.PostRawAsync("/api/jobs", body), field);
        Assert.Equal(0, await CountAsync(client, queue));
    }

    [Theory]
    [InlineData("\"priority\": \"5\"", "priority", "whole number")]
    [InlineData("\"maxAttempts\": 2.5", "maxAttempts", "whole number")]
    [InlineData("\"delaySeconds\": \"10\"", "delaySeconds", "number")]
    [InlineData("\"runAt\": 17", "runAt", "ISO 8601")]
    [InlineData("\"queue\": 5", "queue", "string")]
    [InlineData("\"colour\": \"red\"", "colour", "not a known field")]
    public async Task A_field_of_the_wrong_JSON_type_is_refused_in_the_APIs_words_not_DotNet_types(string member, string field, string expected)
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var body = $$"""{"type":"webhook","payload":{"url":"http://localhost/x"},"queue":"{{queue}}",{{member}}}""";
        if (field == "queue") body = $$"""{"type":"webhook","payload":{"url":"http://localhost/x"},{{member}}}""";
        var problem = await (await client.PostRawAsync("/api/jobs", body)).ProblemAsync(HttpStatusCode.BadRequest);
        var message = problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
        Assert.Contains(expected, message, StringComparison.Ordinal);
        foreach (var dotnet in new[] { "System.", "Leora.", "Nullable", ".NET", "`1" })
            Assert.DoesNotContain(dotnet, problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(client, queue));
    }

    [Fact]
    public async Task Large_and_small_numbers_a_double_holds_are_kept()
    {
        using var client = _service.WithKey();
        var queue = NewQueue();
        var body = """{"type": "webhook", "queue": "QUEUE", "payload": {"url": "http://localhost/", "body": {"big": 1.5e308, "small": 5e-324, "zero": 0e-400}}}"""
            .Replace("QUEUE", queue, StringComparison.Ordinal);
        var job = await (await client.PostRawAsync("/api/jobs", body)).ExpectAsync(HttpStatusCode.Created);
        var stored = job.GetProperty("payload").GetProperty("body");
        Assert.Equal(1.5e308, stored.GetProperty("big").GetDouble());
        Assert.Equal(JsonValueKind.Number, stored.GetProperty("small").ValueKind);
        await (await client.DeleteAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("queue")]
    public async Task A_list_filter_the_database_cannot_store_is_refused_naming_it(string filter)
    {
        using var client = _service.WithKey();
        await ExpectFieldAsync(await client.GetAsync($"/api/jobs?{filter}=a%00b"), filter);
    }
}

public sealed class SqliteInputValidationTests(SqliteServiceFixture fixture) : InputValidationTests(fixture), IClassFixture<SqliteServiceFixture>;

public sealed class PostgreSqlInputValidationTests(PostgreSqlServiceFixture fixture) : InputValidationTests(fixture), IClassFixture<PostgreSqlServiceFixture>;
