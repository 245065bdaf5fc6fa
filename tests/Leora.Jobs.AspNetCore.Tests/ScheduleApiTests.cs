using System.Net;
using System.Net.Http.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.AspNetCore.Tests;

/// <summary>
/// The schedules endpoints through the real service over HTTP, once per store: create, read, change, disable, enable,
/// trigger, delete; the refusals (400 naming the field, 404, 409, 415); a schedule declared in configuration; and ticks
/// enqueued by the batch endpoint alone (the service's worker is off).
/// </summary>
public abstract class ScheduleApiTests(string provider) : IAsyncLifetime
{
    private LeoraService _service = null!;

    private static readonly object ReportPayload = new { url = "http://localhost:9/api/reports", method = "POST", body = new { type = "customers", format = "xlsx" } };

    public async Task InitializeAsync() => _service = await LeoraService.StartAsync(provider, [
        "--Jobs:Schedules:config-report:Cron=0 2 * * *",
        "--Jobs:Schedules:config-report:TimeZone=Europe/Berlin",
        "--Jobs:Schedules:config-report:Type=webhook",
        """--Jobs:Schedules:config-report:Payload={"url":"http://localhost:9/api/reports","method":"POST"}""",
        "--Jobs:Schedules:config-report:Overlap=skip",
    ]);

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task A_schedule_is_created_read_changed_disabled_enabled_triggered_and_deleted()
    {
        using var client = _service.WithKey();
        var created = await client.PostJsonAsync("/api/jobs/schedules", new
        {
            name = "nightly-report", cron = "0 2 * * *", timeZone = "Europe/Berlin", type = "webhook", payload = ReportPayload, misfire = "all", misfireLimit = 3,
        });
        Assert.Equal("/api/jobs/schedules/nightly-report", created.Headers.Location?.OriginalString);
        var schedule = await created.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("Europe/Berlin", schedule.Str("timeZone"));
        Assert.Equal("all", schedule.Str("misfire"));
        Assert.Equal("allow", schedule.Str("overlap"));
        Assert.True(schedule.GetProperty("enabled").GetBoolean());
        var runs = schedule.GetProperty("nextRuns").EnumerateArray().ToList();
        Assert.Equal(5, runs.Count);
        foreach (var run in runs)
        {
            // The same instant twice: 02:00 on Berlin's wall clock, and in UTC.
            var local = run.GetProperty("local").GetDateTimeOffset();
            var utc = run.GetProperty("utc").GetDateTimeOffset();
            Assert.Equal(local.UtcDateTime, utc.UtcDateTime);
            Assert.Equal(2, local.Hour);
            Assert.Equal(TimeSpan.Zero, utc.Offset);
        }

        var listed = await (await client.GetAsync("/api/jobs/schedules")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["config-report", "nightly-report"], listed.GetProperty("schedules").EnumerateArray().Select(s => s.Str("name")));

        var changed = await (await client.PutAsJsonAsync("/api/jobs/schedules/nightly-report", new { cron = "30 3 * * 1-5", timeZone = "Europe/Berlin", type = "webhook", payload = ReportPayload }))
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("30 3 * * 1-5", changed.Str("cron"));
        Assert.Equal("latest", changed.Str("misfire"));

        Assert.False((await (await client.PostAsync("/api/jobs/schedules/nightly-report/disable", null)).ExpectAsync(HttpStatusCode.OK)).GetProperty("enabled").GetBoolean());
        Assert.True((await (await client.PostAsync("/api/jobs/schedules/nightly-report/enable", null)).ExpectAsync(HttpStatusCode.OK)).GetProperty("enabled").GetBoolean());

        var triggered = await client.PostAsync("/api/jobs/schedules/nightly-report/trigger", null);
        var job = await triggered.ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("webhook", job.Str("type"));
        Assert.Equal($"/api/jobs/{job.Long("id")}", triggered.Headers.Location?.OriginalString);
        var read = await (await client.GetAsync("/api/jobs/schedules/nightly-report")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(job.Long("id"), read.Long("lastJobId"));
        Assert.Equal("pending", read.Str("lastJobStatus"));

        await (await client.DeleteAsync("/api/jobs/schedules/nightly-report")).ExpectAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/api/jobs/schedules/nightly-report")).ProblemAsync(HttpStatusCode.NotFound);
        // The triggered job stays.
        await (await client.GetAsync($"/api/jobs/{job.Long("id")}")).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_definitions_are_refused_naming_the_field_and_unknown_names_are_404()
    {
        using var client = _service.WithKey();
        async Task<System.Text.Json.JsonElement> Refused(object body, HttpStatusCode status = HttpStatusCode.BadRequest) =>
            await (await client.PostJsonAsync("/api/jobs/schedules", body)).ProblemAsync(status);

        var cron = await Refused(new { name = "bad-cron", cron = "0 25 * * *", type = "webhook", payload = ReportPayload });
        Assert.Contains("cron", cron.GetProperty("errors").GetProperty("cron")[0].GetString(), StringComparison.Ordinal);
        var fields = await Refused(new { name = "bad-fields", cron = "* * *", type = "webhook", payload = ReportPayload });
        Assert.True(fields.GetProperty("errors").TryGetProperty("cron", out _));
        var zone = await Refused(new { name = "bad-zone", cron = "0 2 * * *", timeZone = "Europe/Atlantis", type = "webhook", payload = ReportPayload });
        Assert.Contains("Europe/Atlantis", zone.GetProperty("errors").GetProperty("timeZone")[0].GetString(), StringComparison.Ordinal);
        var type = await Refused(new { name = "bad-type", cron = "0 2 * * *", type = "no_such_type" });
        Assert.Equal("Unknown job type", type.Str("title"));
        var payload = await Refused(new { name = "bad-payload", cron = "0 2 * * *", type = "webhook", payload = new { url = 5 } });
        Assert.Contains(payload.GetProperty("errors").EnumerateObject(), e => e.Name.StartsWith("payload", StringComparison.Ordinal));
        var misfire = await Refused(new { name = "bad-misfire", cron = "0 2 * * *", type = "webhook", payload = ReportPayload, misfire = "sometimes" });
        Assert.True(misfire.GetProperty("errors").TryGetProperty("misfire", out _));
        var name = await Refused(new { name = "has spaces", cron = "0 2 * * *", type = "webhook", payload = ReportPayload });
        Assert.True(name.GetProperty("errors").TryGetProperty("name", out _));
        var unknownField = await Refused(new { name = "x", cron = "0 2 * * *", type = "webhook", payload = ReportPayload, colour = "red" });
        Assert.Equal(400, unknownField.GetProperty("status").GetInt32());
        await (await client.PostRawAsync("/api/jobs/schedules", "name=x", "application/x-www-form-urlencoded")).ProblemAsync(HttpStatusCode.UnsupportedMediaType);
        await (await client.PostRawAsync("/api/jobs/schedules", "{not json")).ProblemAsync(HttpStatusCode.BadRequest);

        var duplicate = await Refused(new { name = "config-report", cron = "0 3 * * *", type = "webhook", payload = ReportPayload }, HttpStatusCode.Conflict);
        Assert.Contains("config-report", duplicate.Str("detail"), StringComparison.Ordinal);

        await (await client.GetAsync("/api/jobs/schedules/missing")).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PutAsJsonAsync("/api/jobs/schedules/missing", new { cron = "0 2 * * *", type = "webhook", payload = ReportPayload })).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/api/jobs/schedules/missing/enable", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/api/jobs/schedules/missing/disable", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/api/jobs/schedules/missing/trigger", null)).ProblemAsync(HttpStatusCode.NotFound);
        await (await client.DeleteAsync("/api/jobs/schedules/missing")).ProblemAsync(HttpStatusCode.NotFound);
        var renamed = await (await client.PutAsJsonAsync("/api/jobs/schedules/config-report", new { name = "other", cron = "0 2 * * *", type = "webhook", payload = ReportPayload }))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(renamed.GetProperty("errors").TryGetProperty("name", out _));

        // Nothing of the refused ones was written.
        var listed = await (await client.GetAsync("/api/jobs/schedules")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(["config-report"], listed.GetProperty("schedules").EnumerateArray().Select(s => s.Str("name")));
    }

    [Fact]
    public async Task The_configured_schedule_is_declared_at_start()
    {
        using var client = _service.WithKey();
        var schedule = await (await client.GetAsync("/api/jobs/schedules/config-report")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("0 2 * * *", schedule.Str("cron"));
        Assert.Equal("Europe/Berlin", schedule.Str("timeZone"));
        Assert.Equal("skip", schedule.Str("overlap"));
        Assert.Equal("http://localhost:9/api/reports", schedule.GetProperty("payload").Str("url"));
    }

    [Fact]
    public async Task The_batch_endpoint_alone_enqueues_due_ticks()
    {
        using var client = _service.WithKey();
        // Every second (six fields): the batch endpoint, called as a cron would, is the only evaluator in this service.
        await (await client.PostJsonAsync("/api/jobs/schedules", new
        {
            name = "every-second", cron = "* * * * * *", type = "webhook", payload = ReportPayload, queue = "ticks", overlap = "skip",
        })).ExpectAsync(HttpStatusCode.Created);
        var read = await Eventually.WaitAsync(async () =>
        {
            await (await client.GetAsync("/api/jobs/process/cron?queue=nothing-here")).ExpectAsync(HttpStatusCode.OK);
            return await (await client.GetAsync("/api/jobs/schedules/every-second")).ExpectAsync(HttpStatusCode.OK);
        }, s => s.TryGetProperty("lastJobId", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.Number, TimeSpan.FromSeconds(30), "a tick's job");
        var job = await (await client.GetAsync($"/api/jobs/{read.Long("lastJobId")}")).ExpectAsync(HttpStatusCode.OK);
        Assert.StartsWith("schedule:every-second:", job.Str("idempotencyKey"), StringComparison.Ordinal);
        Assert.Equal("ticks", job.Str("queue"));
        await (await client.PostAsync("/api/jobs/schedules/every-second/disable", null)).ExpectAsync(HttpStatusCode.OK);
    }
}

public sealed class SqliteScheduleApiTests() : ScheduleApiTests("sqlite");

public sealed class PostgreSqlScheduleApiTests() : ScheduleApiTests("postgresql");
