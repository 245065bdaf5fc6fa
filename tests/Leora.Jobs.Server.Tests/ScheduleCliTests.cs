using System.Text.Json;
using Leora.Jobs.TestSupport;
using static Leora.Jobs.TestSupport.ProcessRunner;

namespace Leora.Jobs.Server.Tests;

/// <summary>The <c>schedules</c> verb of the real leora-jobs executable, and <c>process</c> enqueueing a configured schedule's tick.</summary>
public sealed class ScheduleCliTests : IDisposable
{
    private const string Payload = """{"url":"http://127.0.0.1:9/api/reports","method":"POST","body":{"type":"customers","format":"xlsx"}}""";

    private readonly TempSqlite _db = new();

    public void Dispose() => _db.Dispose();

    private Task<Result> RunAsync(params string[] args) => LeoraJobsAsync(_db.Directory, new Dictionary<string, string?>
    {
        ["ConnectionStrings__Jobs"] = _db.ConnectionString,
        ["Jobs__Schedules__every-second__Cron"] = "* * * * * *",
        ["Jobs__Schedules__every-second__Type"] = "webhook",
        ["Jobs__Schedules__every-second__Payload"] = Payload,
        ["Jobs__Schedules__every-second__Queue"] = "ticks",
    }, args);

    private static JsonElement Json(Result r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }

    [Fact]
    public async Task Schedules_are_created_listed_changed_triggered_and_deleted()
    {
        var created = Json(await RunAsync("schedules", "create", "nightly-report", "--cron", "0 2 * * *", "--time-zone", "Europe/Berlin",
            "--type", "webhook", "--payload", Payload, "--json"));
        Assert.Equal("Europe/Berlin", created.GetProperty("timeZone").GetString());
        Assert.Equal(5, created.GetProperty("nextRuns").GetArrayLength());

        var again = await RunAsync("schedules", "create", "nightly-report", "--cron", "0 3 * * *", "--type", "webhook", "--payload", Payload);
        Assert.True(again.ExitCode == 4, again.ToString());
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
        var bad = await RunAsync("schedules", "create", "broken", "--cron", "0 25 * * *", "--type", "webhook", "--payload", Payload);
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("cron", bad.Err, StringComparison.Ordinal);
        var zone = await RunAsync("schedules", "create", "broken", "--cron", "0 2 * * *", "--time-zone", "Mars/Base", "--type", "webhook", "--payload", Payload);
        Assert.True(zone.ExitCode == 2, zone.ToString());
        Assert.Contains("Mars/Base", zone.Err, StringComparison.Ordinal);

        var list = await RunAsync("schedules", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("nightly-report", list.Out, StringComparison.Ordinal);
        Assert.Contains("Europe/Berlin", list.Out, StringComparison.Ordinal);
        Assert.Contains("every-second", list.Out, StringComparison.Ordinal);

        var updated = Json(await RunAsync("schedules", "update", "nightly-report", "--cron", "30 3 * * 1-5", "--json"));
        Assert.Equal("30 3 * * 1-5", updated.GetProperty("cron").GetString());
        Assert.Equal("Europe/Berlin", updated.GetProperty("timeZone").GetString());
        Assert.False(Json(await RunAsync("schedules", "disable", "nightly-report", "--json")).GetProperty("enabled").GetBoolean());
        Assert.True(Json(await RunAsync("schedules", "enable", "nightly-report", "--json")).GetProperty("enabled").GetBoolean());

        var job = Json(await RunAsync("schedules", "trigger", "nightly-report", "--json"));
        Assert.Equal("webhook", job.GetProperty("type").GetString());
        var read = Json(await RunAsync("schedules", "get", "nightly-report", "--json"));
        Assert.Equal(job.GetProperty("id").GetInt64(), read.GetProperty("lastJobId").GetInt64());
        Assert.Equal("pending", read.GetProperty("lastJobStatus").GetString());

        var missing = await RunAsync("schedules", "get", "missing");
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.True((await RunAsync("schedules", "delete", "nightly-report")).ExitCode == 0);
        var gone = await RunAsync("schedules", "delete", "nightly-report");
        Assert.True(gone.ExitCode == 3, gone.ToString());
    }

    [Fact]
    public async Task Process_enqueues_the_due_tick_of_a_configured_schedule()
    {
        // The first run declares the schedule (its next tick is the next second); a later run finds that tick due.
        var read = await Eventually.WaitAsync(async () =>
        {
            var run = await RunAsync("process", "--queue", "nothing-here", "--json");
            Assert.True(run.ExitCode == 0, run.ToString());
            return Json(await RunAsync("schedules", "get", "every-second", "--json"));
        }, s => s.TryGetProperty("lastJobId", out var id) && id.ValueKind == JsonValueKind.Number, TimeSpan.FromSeconds(120), "a tick's job");
        var job = Json(await RunAsync("status", read.GetProperty("lastJobId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"));
        Assert.StartsWith("schedule:every-second:", job.GetProperty("idempotencyKey").GetString(), StringComparison.Ordinal);
        Assert.Equal("ticks", job.GetProperty("queue").GetString());
    }
}
