using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>End to end in headless Chromium against a real host and a real SQLite database.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Wrong_key_is_refused_and_the_right_key_signs_in_and_out()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, errors) = await browser.NewPageAsync();
        await using var _ = context;

        await page.GotoAsync(host.Dashboard.ToString());
        await Expect(page.Locator("#view-signin")).ToBeVisibleAsync();
        await Expect(page.Locator("#nav")).ToBeHiddenAsync();
        await Screenshots.SaveAsync(page, "signin");

        await page.FillAsync("#signin-key", "not-" + host.FullKey);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#signin-error")).ToHaveTextAsync("That key was not accepted.");
        await Expect(page.Locator("#view-overview")).ToBeHiddenAsync();

        await page.FillAsync("#signin-key", host.FullKey);
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#view-overview")).ToBeVisibleAsync();
        await Expect(page.Locator("#who-name")).ToHaveTextAsync("API key");
        await Expect(page.Locator("#ro-badge")).ToBeHiddenAsync();

        var cookie = (await context.CookiesAsync()).Single(c => c.Name == ".Leora.Jobs.Dashboard");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/jobs", cookie.Path);
        Assert.DoesNotContain(host.FullKey, cookie.Value, StringComparison.Ordinal);

        // A reload keeps the session.
        await page.ReloadAsync();
        await Expect(page.Locator("#view-overview")).ToBeVisibleAsync();

        await page.ClickAsync("#signout");
        await Expect(page.Locator("#view-signin")).ToBeVisibleAsync();
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == ".Leora.Jobs.Dashboard");
        await page.ReloadAsync();
        await Expect(page.Locator("#view-signin")).ToBeVisibleAsync();
        Assert.DoesNotContain(errors, e => !e.Contains("401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Counts_change_as_jobs_are_enqueued_and_processed()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await Expect(page.Locator("#count-pending")).ToHaveTextAsync("0");
        await Expect(page.Locator("#health")).ToHaveClassAsync("health ok");

        for (var i = 0; i < 3; i++) await host.Client.EnqueueAsync(new EchoArgs($"hello {i}"));
        await host.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });

        // No reload: the page polls.
        await Expect(page.Locator("#count-pending")).ToHaveTextAsync("3");
        await Expect(page.Locator("#count-scheduled")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("0");
        await Expect(page.Locator("#by-type tbody")).ToContainTextAsync("echo");

        Assert.Equal(3, await host.ProcessAllAsync());
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("3");
        await Expect(page.Locator("#count-pending")).ToHaveTextAsync("0");
        await Expect(page.Locator("#stat-completed-hour")).ToHaveTextAsync("3");
        // The chart has a completed bar (one, or two if the batch straddled a minute).
        await Expect(page.Locator("#chart rect.ok").First).ToBeVisibleAsync();

        // A failure turns the overview red.
        await host.Client.EnqueueAsync(new FlakyArgs("x"));
        await host.ProcessAllAsync();
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#health")).ToHaveClassAsync("health failing");
        await Expect(page.Locator("#health-reasons")).ToContainTextAsync("1 of 4 finished jobs failed");
        await Expect(page.Locator("#chart rect.bad")).ToHaveCountAsync(1);
        Assert.Equal(3, await page.EvalOnSelectorAllAsync<int>("#chart g title", "ts => ts.reduce((n, t) => n + Number(/(\\d+) completed/.exec(t.textContent)[1]), 0)"));
        await Expect(page.Locator("#nodes tbody")).ToContainTextAsync("this process");
        await Screenshots.SaveAsync(page, "overview");
    }

    [Fact]
    public async Task A_failed_job_shows_its_error_and_a_retry_completes_it()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        var id = (await host.Client.EnqueueAsync(new FlakyArgs("disk full"), new EnqueueOptions { IdempotencyKey = "import-2026-11" })).Id;
        await host.Client.EnqueueAsync(new EchoArgs("fine"));
        await host.ProcessAllAsync();

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await page.ClickAsync("a[data-nav=failed]");
        await Expect(page.Locator("#list-title")).ToHaveTextAsync("Failed jobs");
        var row = page.Locator($"#list-table tbody tr[data-id='{id}']");
        await Expect(row).ToContainTextAsync("boom: disk full");
        await Expect(page.Locator("#list-table tbody tr")).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "failed-list");

        await row.Locator("a").ClickAsync();
        await Expect(page.Locator("#job-title")).ToHaveTextAsync($"Job #{id}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("failed");
        await Expect(page.Locator("#job-errors li .msg")).ToHaveTextAsync("boom: disk full");
        await Expect(page.Locator("#job-errors li")).ToContainTextAsync("PermanentJobException");
        await Expect(page.Locator("#job-errors pre.stack")).ToContainTextAsync("FlakyHandler");
        await Expect(page.Locator("#job-payload")).ToContainTextAsync("\"text\": \"disk full\"");
        await Expect(page.Locator("#job-fields")).ToContainTextAsync("import-2026-11");
        await Expect(page.Locator("#job-delete")).ToBeEnabledAsync();
        await Screenshots.SaveAsync(page, "job-failed");

        host.Flaky.Failing = false;
        await page.ClickAsync("#job-retry");
        await Expect(page.Locator("#job-result")).ToHaveTextAsync("Sent back to pending: it will run again.");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("pending");
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(id))!.Status);

        Assert.Equal(1, await host.ProcessAllAsync());
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("completed");
        await Expect(page.Locator("#job-result-json")).ToContainTextAsync("\"recovered\": true");
        await Expect(page.Locator("#job-retry")).ToBeDisabledAsync();
        await Screenshots.SaveAsync(page, "job-completed");
    }

    [Fact]
    public async Task Cancelling_a_pending_job_asks_first_and_it_never_runs()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        var id = (await host.Client.EnqueueAsync(new EchoArgs("cancel me"), new EnqueueOptions { Delay = TimeSpan.FromMinutes(30) })).Id;

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await page.ClickAsync("a[data-nav=scheduled]");
        await page.ClickAsync($"#list-table tbody tr[data-id='{id}'] a");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("scheduled");

        // Saying no to the confirmation changes nothing.
        await page.ClickAsync("#job-cancel");
        await Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync($"Job #{id}");
        await page.ClickAsync("#confirm-no");
        await Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(id))!.Status);

        await page.ClickAsync("#job-cancel");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#job-result")).ToHaveTextAsync("Cancelled: it will not run.");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("cancelled");
        Assert.Equal(JobStatus.Cancelled, (await host.Client.GetAsync(id))!.Status);

        // Delete, also confirmed; the page then says the job is gone.
        await page.ClickAsync("#job-delete");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#job-result")).ToHaveTextAsync("Deleted.");
        Assert.Null(await host.Client.GetAsync(id));
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("not found");
    }

    [Fact]
    public async Task A_read_only_key_can_look_but_every_action_is_refused()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        var failed = (await host.Client.EnqueueAsync(new FlakyArgs("nope"))).Id;
        await host.ProcessAllAsync();

        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await Expect(page.Locator("#ro-badge")).ToBeVisibleAsync();
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("a[data-nav=enqueue]")).ToBeHiddenAsync();
        await Expect(page.Locator("a[data-nav=maintenance]")).ToBeHiddenAsync();

        await DashboardPage.GoAsync(page, host, $"#/job/{failed}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("failed");
        await Expect(page.Locator("#job-retry")).ToBeHiddenAsync();
        await Expect(page.Locator("#job-delete")).ToBeHiddenAsync();

        // Even with the page's own anti-forgery token, the server refuses every action of this session.
        var statuses = await page.EvaluateAsync<int[]>("""
            async (id) => {
              const s = await (await fetch('api/session')).json();
              const h = { 'Content-Type': 'application/json' }; h[s.csrfHeader] = s.csrfToken;
              const calls = [
                fetch(`api/jobs/${id}/retry`, { method: 'POST', headers: h }),
                fetch(`api/jobs/${id}/cancel`, { method: 'POST', headers: h }),
                fetch(`api/jobs/${id}`, { method: 'DELETE', headers: h }),
                fetch('api/jobs', { method: 'POST', headers: h, body: JSON.stringify({ type: 'echo', payload: { text: 'x' } }) }),
                fetch('api/failed/retry-all', { method: 'POST', headers: h, body: '{}' }),
                fetch('api/cleanup', { method: 'POST', headers: h, body: JSON.stringify({ olderThanHours: 0 }) }),
              ];
              return (await Promise.all(calls)).map(r => r.status);
            }
            """, failed);
        Assert.All(statuses, s => Assert.Equal(403, s));
        var job = await host.Client.GetAsync(failed);
        Assert.Equal(JobStatus.Failed, job!.Status);
        var all = await host.Client.ListAsync(new JobQuery());
        Assert.Single(all.Items);
    }

    [Fact]
    public async Task Script_in_job_data_is_shown_as_text_and_never_runs()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        const string Evil = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
        var id = (await host.Client.EnqueueAsync(new FlakyArgs(Evil), new EnqueueOptions { IdempotencyKey = "<b onmouseover=alert(1)>k</b>" })).Id;
        await host.ProcessAllAsync();

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/failed");
        await Expect(page.Locator($"#list-table tbody tr[data-id='{id}'] td.err")).ToHaveTextAsync("boom: " + Evil);
        await DashboardPage.GoAsync(page, host, $"#/job/{id}");
        await Expect(page.Locator("#job-errors li .msg")).ToHaveTextAsync("boom: " + Evil);
        await Expect(page.Locator("#job-payload")).ToContainTextAsync("<script>window.__xss = 1</script>");
        await Expect(page.Locator("#job-fields")).ToContainTextAsync("<b onmouseover=alert(1)>k</b>");
        await Screenshots.SaveAsync(page, "xss-inert");

        Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
        Assert.Equal(0, await page.Locator("main img, main b, #job-errors script, #job-payload script").CountAsync());
        Assert.DoesNotContain(errors, e => e.Contains("__xss", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_enqueue_form_knows_the_registered_types_and_reports_bad_payloads()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await page.ClickAsync("a[data-nav=enqueue]");

        var options = await page.Locator("#enqueue-type option").AllTextContentsAsync();
        Assert.Equal(["echo", "flaky", "gated_import", "later", "report"], options);
        await page.SelectOptionAsync("#enqueue-type", "report");
        var template = JsonDocument.Parse(await page.InputValueAsync("#enqueue-payload")).RootElement;
        Assert.Equal(["accountId", "format", "year", "includeArchived"], template.EnumerateObject().Select(p => p.Name));
        await Expect(page.Locator("#enqueue-queue")).ToHaveAttributeAsync("placeholder", "reports");

        await page.FillAsync("#enqueue-payload", """{ "accountId": "not-a-guid", "format": "csv", "year": 2026, "includeArchived": false }""");
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToHaveClassAsync("result bad");
        await Expect(page.Locator("#enqueue-result")).ToContainTextAsync("payload.accountId");
        Assert.Empty((await host.Client.ListAsync(new JobQuery())).Items);

        await page.FillAsync("#enqueue-payload", """{ "accountId": "6f1c2b8e-3a51-4a55-9d7e-1b2f3c4d5e6f", "format": "csv", "year": 2026, "includeArchived": true }""");
        await page.FillAsync("#enqueue-priority", "7");
        await page.FillAsync("#enqueue-key", "report-2026");
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToContainTextAsync("Enqueued job #");
        await Screenshots.SaveAsync(page, "enqueue");
        var job = Assert.Single((await host.Client.ListAsync(new JobQuery())).Items);
        Assert.Equal("report", job.Type);
        Assert.Equal("reports", job.Queue);
        Assert.Equal(7, job.Priority);
        Assert.Equal("report-2026", job.IdempotencyKey);
        Assert.Equal(2026, job.Payload.GetProperty("year").GetInt32());

        await page.ClickAsync("#enqueue-result a");
        await Expect(page.Locator("#job-title")).ToHaveTextAsync($"Job #{job.Id}");
    }

    [Fact]
    public async Task The_enqueue_form_sends_its_own_idempotency_key_so_a_retried_or_double_submit_stores_one_job()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await page.ClickAsync("a[data-nav=enqueue]");
        await page.SelectOptionAsync("#enqueue-type", "echo");
        await page.FillAsync("#enqueue-payload", """{ "text": "once" }""");

        // The first POST reaches the server and is committed, but its answer is lost on the way back (the browser sees a
        // network error), as when a proxy or the connection drops it. The user submits again.
        var posts = 0;
        await page.RouteAsync("**/api/jobs", async route =>
        {
            if (route.Request.Method != "POST") { await route.ContinueAsync(); return; }
            if (Interlocked.Increment(ref posts) == 1)
            {
                await using var answer = await route.FetchAsync();
                Assert.Equal(201, answer.Status);
                await route.AbortAsync();
            }
            else await route.ContinueAsync();
        });
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToHaveClassAsync("result bad");
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToContainTextAsync("Already enqueued with that idempotency key: job #");
        // A double click on the same form: two more POSTs, still the one job.
        await page.DblClickAsync("#enqueue-form button[type=submit]");
        await Eventually.WaitAsync(() => Task.FromResult(Volatile.Read(ref posts)), n => n == 4, TimeSpan.FromSeconds(20), "the double click's two POSTs");
        await Expect(page.Locator("#enqueue-result")).ToContainTextAsync("Already enqueued with that idempotency key: job #");

        var job = Assert.Single((await host.Client.ListAsync(new JobQuery())).Items);
        Assert.Equal("once", job.Payload.GetProperty("text").GetString());
        Assert.StartsWith("dashboard-", job.IdempotencyKey, StringComparison.Ordinal);
        // The key is the form's, not typed by the user, and nothing shows it.
        Assert.Equal("", await page.InputValueAsync("#enqueue-key"));

        // Editing the form makes it another job, with a key of its own.
        await page.FillAsync("#enqueue-payload", """{ "text": "twice" }""");
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToContainTextAsync("Enqueued job #");
        var jobs = (await host.Client.ListAsync(new JobQuery())).Items;
        Assert.Equal(2, jobs.Count);
        Assert.Equal(2, jobs.Select(j => j.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task Retry_all_failed_of_a_type_and_cleanup_report_what_they_did()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        for (var i = 0; i < 5; i++) await host.Client.EnqueueAsync(new FlakyArgs($"f{i}"));
        await host.Client.EnqueueAsync(new EchoArgs("done"));
        await host.ProcessAllAsync();

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await page.ClickAsync("a[data-nav=maintenance]");
        await page.SelectOptionAsync("#retryall-type", "flaky");
        await page.ClickAsync("#retryall-form button[type=submit]");
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync("failed jobs of type \"flaky\"");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#retryall-result")).ToHaveTextAsync("Retried 5 jobs.");
        var counts = await host.Client.CountByStatusAsync();
        Assert.Equal(5, counts[JobStatus.Pending]);
        Assert.Equal(0, counts[JobStatus.Failed]);

        await page.FillAsync("#cleanup-hours", "0");
        await page.ClickAsync("#cleanup-form button[type=submit]");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#cleanup-result")).ToHaveTextAsync("Deleted 1 job.");
        await Screenshots.SaveAsync(page, "maintenance");
        counts = await host.Client.CountByStatusAsync();
        Assert.Equal(0, counts[JobStatus.Completed]);
        Assert.Equal(5, counts[JobStatus.Pending]);
    }

    [Fact]
    public async Task Lists_page_by_keyset_filter_by_type_and_find_by_id_or_key()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 120).Select(i => new EchoArgs($"e{i}")));
        var keyed = (await host.Client.EnqueueAsync(new FlakyArgs("k"), new EnqueueOptions { IdempotencyKey = "order-42" })).Id;

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/pending");
        var rows = page.Locator("#list-table tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", keyed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Screenshots.SaveAsync(page, "pending-list", fullPage: false);
        var first = await rows.First.GetAttributeAsync("data-id");

        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 1 of 3 · 1–50 of 121");
        await page.ClickAsync("#page-next");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 2 of 3 · 51–100 of 121");
        await Expect(rows.First).Not.ToHaveAttributeAsync("data-id", first!);
        var second = await rows.First.GetAttributeAsync("data-id");
        Assert.True(long.Parse(second!, System.Globalization.CultureInfo.InvariantCulture) < long.Parse(first!, System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("#page-next");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 3 of 3 · 101–121 of 121");
        await Expect(page.Locator("#page-next")).ToBeDisabledAsync();
        await page.ClickAsync("#page-prev");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 2 of 3 · 51–100 of 121");
        await Expect(rows.First).ToHaveAttributeAsync("data-id", second!);

        // The live refresh keeps the page: new jobs arriving do not move the reader back to page 1.
        await host.Client.EnqueueAsync(new EchoArgs("new"));
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 2 of 3 · 51–100 of 122");
        await Expect(rows.First).ToHaveAttributeAsync("data-id", second!);

        await page.SelectOptionAsync("#filter-type", "flaky");
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", keyed.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.SelectOptionAsync("#filter-type", "");
        await page.FillAsync("#filter-q", "order-42");
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("flaky");

        await page.FillAsync("#filter-q", "7");
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", "7");
    }

    [Fact]
    public async Task A_running_job_shows_its_progress_and_node_and_can_be_cancelled()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        var id = (await host.Client.EnqueueAsync(new GateArgs("accounts.csv"))).Id;
        for (var i = 0; i < 4; i++) await host.Client.EnqueueAsync(new EchoArgs($"waiting {i}"), new EnqueueOptions { Queue = "mail" });
        var batch = host.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1, Queue = "default" }, CancellationToken.None);
        await host.Gate.Started.Task.WithTimeout(TimeSpan.FromSeconds(15), "the gated job to start");

        await Expect(page.Locator("#count-processing")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-pending")).ToHaveTextAsync("4");
        var running = page.Locator("#nodes tbody a", new() { HasText = $"#{id} gated_import 40%" });
        await Expect(running).ToBeVisibleAsync();
        await Expect(page.Locator("#nodes tbody")).ToContainTextAsync(DashboardHost.WorkerName);
        await Expect(page.Locator("#by-queue tbody")).ToContainTextAsync("mail");
        await Screenshots.SaveAsync(page, "overview-running");

        await running.ClickAsync();
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("processing");
        await Expect(page.Locator("#job-progress-bar")).ToHaveAttributeAsync("value", "40");
        await Expect(page.Locator("#job-progress-text")).ToHaveTextAsync("40% · importing accounts.csv");
        await Expect(page.Locator("#job-fields")).ToContainTextAsync(DashboardHost.WorkerName);
        await Expect(page.Locator("#job-fields dt", new() { HasText = "Lease until" }).Locator("xpath=following-sibling::dd[1]")).Not.ToHaveTextAsync("–");
        await Expect(page.Locator("#job-delete")).ToBeDisabledAsync();
        await Expect(page.Locator("#job-retry")).ToBeDisabledAsync();
        await Screenshots.SaveAsync(page, "job-processing");

        await page.ClickAsync("#job-cancel");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#job-result")).ToHaveTextAsync("Cancel requested: the running handler is being stopped.");
        var result = await batch.WithTimeout(TimeSpan.FromSeconds(15), "the batch to end after the cancel");
        Assert.Equal(1, result.Cancelled);
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("cancelled");
        Assert.Equal(JobStatus.Cancelled, (await host.Client.GetAsync(id))!.Status);
    }
}
