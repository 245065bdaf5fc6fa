using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Server.Tests;

/// <summary>
/// The default multi-process SQLite deployment, as real processes: <c>leora-jobs serve --no-worker</c> takes the
/// enqueues and a separate <c>leora-jobs work</c> process runs them, on one database file. The worker's poll interval is
/// ten minutes, so only the cross-process wake-up (the worker watches the file's <c>-wal</c>, which every commit of the
/// service writes) can start a job within the test's wait.
/// </summary>
public sealed class SqliteCrossProcessWakeUpTests : IAsyncLifetime
{
    private const string Key = "wake-up-test-key-7c1d29";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempSqlite _db = new();
    private WebhookReceiver _receiver = null!;
    private LeoraJobsProcess? _service;
    private LeoraJobsProcess? _worker;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        if (_worker is not null) await _worker.DisposeAsync();
        if (_service is not null) await _service.DisposeAsync();
        await _receiver.DisposeAsync();
        _db.Dispose();
    }

    private Dictionary<string, string?> Env => new()
    {
        ["ConnectionStrings__Jobs"] = _db.ConnectionString,
        ["JOB_PROCESSOR_API_KEY"] = Key,
        ["Jobs__Webhook__AllowedHosts__0"] = "127.0.0.1",
        // Far beyond the test's wait: a job found by a poll would fail the test.
        ["Jobs__Worker__PollInterval"] = "00:10:00",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task A_job_enqueued_through_the_service_starts_in_a_separate_worker_process_without_waiting_for_its_poll()
    {
        // The service migrates the file; the worker starts on it and makes its first claim (of nothing) at once.
        _service = await LeoraJobsProcess.StartAsync(_db.Directory, Env, "serve", "--no-worker", "--urls", "http://127.0.0.1:0");
        using var http = new HttpClient { BaseAddress = new Uri(await _service.AddressAsync()), Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Add("x-api-key", Key);
        _worker = await LeoraJobsProcess.StartAsync(_db.Directory, Env, "work");

        // One after another: each enqueue finds the worker idle, waiting for its next poll ten minutes away.
        var tag = "wake" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 1; i <= 3; i++)
        {
            var response = await http.PostAsJsonAsync("/api/jobs", new
            {
                type = "webhook",
                payload = new { url = _receiver.IpUrl($"/ok?tag={tag}&n={i}"), method = "POST", body = $"job-{i}" },
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var n = i;
            await Eventually.WaitAsync(() => Task.FromResult(_receiver.For(tag).Count), count => count == n, Wait,
                $"job {id} to reach the receiver from the worker process\n{_worker}");
            await Eventually.WaitAsync(async () => (await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("status").GetString(),
                status => status == "completed", Wait, $"job {id} to be completed by the worker process");
        }

        // A bulk enqueue is one commit: it wakes the worker as well.
        var bulk = await http.PostAsJsonAsync("/api/jobs/bulk", new
        {
            jobs = Enumerable.Range(4, 5).Select(i => new
            {
                type = "webhook",
                payload = new { url = _receiver.IpUrl($"/ok?tag={tag}&n={i}"), method = "POST", body = $"job-{i}" },
            }).ToArray(),
        });
        Assert.True(bulk.IsSuccessStatusCode, await bulk.Content.ReadAsStringAsync());
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.For(tag).Count), count => count == 8, Wait,
            "the bulk's five jobs to reach the receiver from the worker process");
    }
}
