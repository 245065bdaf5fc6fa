using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// Issue 19 in headless Chromium, on SQLite and PostgreSQL: bulk actions on the lists (by selection and "all matching this
/// filter"), totals and page position, the arguments in each row, the Retries and Dead views and "run now", the Queues and
/// Job types pages with pause and resume, times in the viewer's zone with UTC on hover, the 390 px layout and the one-row
/// navigation at 1280 px, keyboard use across live refreshes, WCAG 2.2 AA by axe-core, and the screenshots for the docs.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OperatorDashboardTests(BrowserFixture browser)
{
    private static readonly List<string> WcagAa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagAa } });
        Assert.True(result.Violations.Length == 0, $"{what}: " + string.Join(Environment.NewLine,
            result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at " + string.Join(", ", v.Nodes.Select(n => n.Target?.ToString())))));
        Assert.NotEmpty(result.Passes);
    }

    private static async Task WaitForRefreshesAsync(IPage page, int count)
    {
        var start = int.Parse(await page.EvalOnSelectorAsync<string?>("#main", "m => m.dataset.refreshes || '0'") ?? "0", CultureInfo.InvariantCulture);
        await page.WaitForFunctionAsync("n => Number(document.getElementById('main').dataset.refreshes || 0) >= n", start + count);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Bulk_actions_change_the_selected_or_every_matching_job_and_say_why_the_others_did_not(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var failed = new List<long>();
        for (var i = 0; i < 3; i++) failed.Add((await host.Client.EnqueueAsync(new FlakyArgs($"f{i}"))).Id);
        Assert.Equal(3, await host.ProcessAllAsync());
        var pending = (await host.Client.EnqueueAsync(new EchoArgs("still pending"))).Id;
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        // Two of three failed jobs, selected by their boxes, retried.
        await DashboardPage.GoAsync(page, host, "#/jobs/failed");
        var rows = page.Locator("#list-table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("None selected");
        await Expect(page.Locator("#bulk button[data-bulk=retry]")).ToBeDisabledAsync();
        await page.CheckAsync($"input[data-select='{Id(failed[0])}']");
        await page.CheckAsync($"input[data-select='{Id(failed[1])}']");
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("2 selected");
        await AssertNoViolationsAsync(page, "failed list with a selection");
        await page.ClickAsync("#bulk button[data-bulk=retry]");
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync("2 selected jobs");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#list-result")).ToHaveTextAsync("Retry: 2 of 2 retried.");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("None selected");
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(failed[0]))!.Status);
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(failed[1]))!.Status);
        Assert.Equal(JobStatus.Failed, (await host.Client.GetAsync(failed[2]))!.Status);

        // On the list of every job, a pending job cannot be retried: the answer says so and changes only the failed one.
        await DashboardPage.GoAsync(page, host, "#/jobs");
        await page.CheckAsync($"input[data-select='{Id(failed[2])}']");
        await page.CheckAsync($"input[data-select='{Id(pending)}']");
        await page.ClickAsync("#bulk button[data-bulk=retry]");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#list-result")).ToHaveTextAsync("Retry: 1 of 2 retried. Not changed: 1 not failed or cancelled (pending).");
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(failed[2]))!.Status);

        // Every job matching the filter, past the page: 60 scheduled jobs of type echo, 50 on the page.
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 60).Select(i => new EchoArgs($"later {i}")), new EnqueueOptions { Delay = TimeSpan.FromDays(1) });
        var otherType = (await host.Client.EnqueueAsync(new FlakyArgs("other type"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) })).Id;
        await DashboardPage.GoAsync(page, host, "#/jobs/scheduled?type=echo");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(page.Locator("#list-total")).ToHaveTextAsync("60 jobs in this list");
        await Expect(page.Locator("#bulk-all")).ToBeHiddenAsync();
        await page.CheckAsync("#select-page");
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("50 selected");
        await page.ClickAsync("#bulk-all");
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("All 60 matching this filter selected");
        await page.ClickAsync("#bulk button[data-bulk=cancel]");
        await Expect(page.Locator("#confirm-text")).ToContainTextAsync("all 60 jobs matching this filter");
        // Asked first: "Keep" changes nothing.
        await page.ClickAsync("#confirm-no");
        Assert.Equal(60, await host.Client.CountAsync(new JobQuery { Status = JobStatus.Pending, Scheduled = true, Type = "echo" }, 1000));
        await page.ClickAsync("#bulk button[data-bulk=cancel]");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#list-result")).ToHaveTextAsync("Cancel: 60 of 60 cancelled.");
        await Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        Assert.Equal(60, await host.Client.CountAsync(new JobQuery { Status = JobStatus.Cancelled, Type = "echo" }, 1000));
        // The filter bounded it: the scheduled job of another type was not touched.
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(otherType))!.Status);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_read_only_key_sees_no_bulk_or_run_now_controls_and_its_requests_get_403(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var failed = (await host.Client.EnqueueAsync(new FlakyArgs("f"))).Id;
        await host.ProcessAllAsync();
        var later = (await host.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) })).Id;
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/failed");
        await Expect(page.Locator("#list-table tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#bulk")).ToBeHiddenAsync();
        await Expect(page.Locator("#list-table input[type=checkbox]")).ToHaveCountAsync(1);
        await Expect(page.Locator("#select-page")).ToBeHiddenAsync();
        await DashboardPage.GoAsync(page, host, $"#/job/{later}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("scheduled");
        await Expect(page.Locator("#job-run-now")).ToBeHiddenAsync();
        await DashboardPage.GoAsync(page, host, "#/queues");
        await Expect(page.Locator("#groups tbody tr").First).ToBeVisibleAsync();
        await Expect(page.Locator("#groups tbody button")).ToHaveCountAsync(0);

        var statuses = await page.EvaluateAsync<int[]>("""
            async ([failed, later]) => {
              const s = await (await fetch('api/session')).json();
              const post = (path, body) => fetch(path, { method: 'POST', headers: { [s.csrfHeader]: s.csrfToken, 'Content-Type': 'application/json' },
                body: JSON.stringify(body) }).then((r) => r.status);
              return [await post('api/jobs/bulk', { action: 'retry', ids: [failed] }), await post('api/jobs/bulk', { action: 'delete', status: 'all' }),
                await post(`api/jobs/${later}/run-now`, {})];
            }
            """, new[] { failed, later });
        Assert.Equal([403, 403, 403], statuses);
        Assert.Equal(JobStatus.Failed, (await host.Client.GetAsync(failed))!.Status);
        Assert.Equal(2, await host.Client.CountAsync(new JobQuery(), 100));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Lists_show_their_total_the_page_position_and_each_jobs_arguments(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 120).Select(i => new EchoArgs($"e{i}")));
        var report = (await host.Client.EnqueueAsync(new ReportArgs(Guid.Empty, "pdf", 2026, true))).Id;
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/pending");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 1 of 3 · 1–50 of 121");
        await Expect(page.Locator("#list-total")).ToHaveTextAsync("121 jobs in this list");
        // Each member as stored (PostgreSQL's jsonb keeps its own member order, so each is looked for on its own).
        var args = page.Locator($"#list-table tr[data-id='{Id(report)}'] td.args");
        foreach (var member in new[] { "accountId: \"00000000-0000-0000-0000-000000000000\"", "format: \"pdf\"", "year: 2026", "includeArchived: true" })
            await Expect(args).ToContainTextAsync(member);
        Assert.Equal(4, (await args.TextContentAsync())!.Split(", ").Length);
        await page.ClickAsync("#page-next");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 2 of 3 · 51–100 of 121");
        var second = page.Locator("#list-table tbody tr").Nth(0);
        var secondId = long.Parse((await second.GetAttributeAsync("data-id"))!, CultureInfo.InvariantCulture);
        await Expect(second.Locator("td.args")).ToHaveTextAsync($"text: \"e{secondId - 1 - (report - 121)}\"");
        await DashboardPage.GoAsync(page, host, "#/jobs/pending?type=report");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 1 of 1 · 1–1 of 1");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Retries_and_dead_jobs_have_views_of_their_own_and_a_waiting_job_can_be_run_now(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var retrying = (await host.Client.EnqueueAsync(new LaterArgs("r1"))).Id;
        var retrying2 = (await host.Client.EnqueueAsync(new LaterArgs("r2"))).Id;
        // Flaky fails for good: with one attempt it used them all (dead); with three it failed with attempts left (failed, not dead).
        var dead = (await host.Client.EnqueueAsync(new FlakyArgs("dead"), new EnqueueOptions { MaxAttempts = 1 })).Id;
        var failedEarly = (await host.Client.EnqueueAsync(new FlakyArgs("early"), new EnqueueOptions { MaxAttempts = 3 })).Id;
        Assert.Equal(4, await host.ProcessAllAsync());
        var scheduled = (await host.Client.EnqueueAsync(new EchoArgs("tomorrow"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) })).Id;

        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await Expect(page.Locator("#count-retrying")).ToHaveTextAsync("2");
        await Expect(page.Locator("#count-scheduled")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-dead")).ToHaveTextAsync("1");
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("2");

        var rows = page.Locator("#list-table tbody tr");
        await page.ClickAsync("#statusnav a[data-nav=retrying]");
        await Expect(page.Locator("#list-title")).ToHaveTextAsync("Retrying jobs (waiting for their next attempt)");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator($"#list-table tr[data-id='{Id(retrying)}'] .status")).ToHaveTextAsync("retrying");
        await AssertNoViolationsAsync(page, "retries");
        await page.ClickAsync("#statusnav a[data-nav=scheduled]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", Id(scheduled));
        await page.ClickAsync("#statusnav a[data-nav=dead]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", Id(dead));
        await Expect(rows.First.Locator(".status")).ToHaveTextAsync("dead");
        await AssertNoViolationsAsync(page, "dead");
        await page.ClickAsync("#statusnav a[data-nav=failed]");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(page.Locator($"#list-table tr[data-id='{Id(failedEarly)}'] .status")).ToHaveTextAsync("failed");

        // Run now from the job page: the retrying job is due at once and the next batch completes it.
        await DashboardPage.GoAsync(page, host, $"#/job/{retrying}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("retrying");
        await Expect(page.Locator("#job-run-now")).ToBeEnabledAsync();
        await page.ClickAsync("#job-run-now");
        await Expect(page.Locator("#job-result")).ToHaveTextAsync("Due now: the next free worker runs it.");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("pending");
        await Expect(page.Locator("#job-run-now")).ToBeDisabledAsync();
        Assert.Equal(1, await host.ProcessAllAsync());
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("completed");

        // Run now in bulk, on the Retries list: the other retrying job.
        await DashboardPage.GoAsync(page, host, "#/jobs/retrying");
        await Expect(rows).ToHaveCountAsync(1);
        await page.CheckAsync($"input[data-select='{Id(retrying2)}']");
        await page.ClickAsync("#bulk button[data-bulk=runNow]");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#list-result")).ToHaveTextAsync("Run now: 1 of 1 made due now.");
        await Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        Assert.Equal(1, await host.ProcessAllAsync());
        Assert.Equal(JobStatus.Completed, (await host.Client.GetAsync(retrying2))!.Status);
        // The scheduled job is still a day away.
        Assert.True((await host.Client.GetAsync(scheduled))!.RunAt > DateTimeOffset.UtcNow.AddHours(12));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_queues_and_job_types_pages_show_each_ones_jobs_latency_workers_limit_and_pause_it(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider,
            jobsBuilder: j => j.AddLimit(new JobLimit { Scope = JobLimitScope.Queue, Name = "reports", Concurrency = 2 }));
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 3).Select(i => new ReportArgs(Guid.NewGuid(), "csv", 2026, false)));
        await host.Client.EnqueueAsync(new EchoArgs("soon"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) });
        await host.Client.EnqueueAsync(new EchoArgs("done"));
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        await page.ClickAsync("#nav a[data-nav=queues]");
        await Expect(page.Locator("#groups-title")).ToHaveTextAsync("Queues");
        var reports = page.Locator("#groups tbody tr[data-key=reports]");
        await Expect(reports.Locator("td").Nth(1)).ToHaveTextAsync("3");
        await Expect(reports.Locator("td").Nth(8)).ToHaveTextAsync("0/2 running");
        var defaultQueue = page.Locator("#groups tbody tr[data-key=default]");
        await Expect(defaultQueue.Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Expect(defaultQueue.Locator("td").Nth(2)).ToHaveTextAsync("1");
        // The limit lets two reports run at once: batches until every due job ran.
        while (await host.ProcessAllAsync() > 0) { }
        Assert.Equal(3, await host.Client.CountAsync(new JobQuery { Status = JobStatus.Completed, Type = "report" }, 100));
        await Expect(reports.Locator("td").Nth(6)).ToHaveTextAsync("3 done, 0 failed");
        await Expect(reports.Locator("td").Nth(5)).ToHaveTextAsync("–");
        await AssertNoViolationsAsync(page, "queues");

        await page.ClickAsync("button[aria-label='Pause queue reports']");
        await Expect(page.Locator("#groups-result")).ToHaveTextAsync("Paused queue reports: its pending jobs wait until it is resumed.");
        await Expect(reports.Locator(".status.paused")).ToBeVisibleAsync();
        var pauses = host.Services.GetRequiredService<IJobPauses>();
        Assert.Equal([(JobPauseScope.Queue, "reports")], (await pauses.ListAsync()).Select(p => (p.Scope, p.Name)));
        await page.ClickAsync("button[aria-label='Resume queue reports']");
        await Expect(page.Locator("#groups-result")).ToHaveTextAsync("Resumed queue reports.");
        Assert.Empty(await pauses.ListAsync());

        await page.ClickAsync("#nav a[data-nav=types]");
        await Expect(page.Locator("#groups-title")).ToHaveTextAsync("Job types");
        var later = page.Locator("#groups tbody tr[data-key=later]");
        await Expect(later.Locator("td").First).ToContainTextAsync("queue default, 3 attempts");
        await Expect(page.Locator("#groups tbody tr[data-key=report] td").Nth(6)).ToHaveTextAsync("3 done, 0 failed");
        await Expect(page.Locator("#groups tbody tr[data-key=echo] td").Nth(2)).ToHaveTextAsync("1");
        await AssertNoViolationsAsync(page, "job types");
        await page.ClickAsync("button[aria-label='Pause job type flaky']");
        await Expect(page.Locator("#groups-result")).ToHaveTextAsync("Paused job type flaky: its pending jobs wait until it is resumed.");
        Assert.Equal([(JobPauseScope.Type, "flaky")], (await pauses.ListAsync()).Select(p => (p.Scope, p.Name)));
    }

    [Fact]
    public async Task Times_show_in_the_viewers_zone_with_utc_on_hover()
    {
        await using var host = await DashboardHost.StartAsync();
        var id = (await host.Client.EnqueueAsync(new EchoArgs("zoned"))).Id;
        var job = (await host.Client.GetAsync(id))!;
        var (context, page, _) = await browser.NewPageAsync(timeZone: "Asia/Tokyo");
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, $"#/job/{id}");
        var created = page.Locator("#job-fields dd time").First;
        // Tokyo is UTC+9 all year: the page shows the local hour and names the zone; the hover shows UTC.
        var local = job.CreatedAt.ToOffset(TimeSpan.FromHours(9));
        await Expect(created).ToContainTextAsync(local.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        await Expect(created).ToContainTextAsync("GMT+9");
        await Expect(created).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex(
            System.Text.RegularExpressions.Regex.Escape(job.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC")));
        await DashboardPage.GoAsync(page, host, "#/jobs/pending");
        await Expect(page.Locator($"#list-table tr[data-id='{Id(id)}'] time").First).ToHaveAttributeAsync("title",
            new System.Text.RegularExpressions.Regex(" UTC$"));
    }

    private static readonly string[] Pages =
        ["#/", "#/jobs/pending", "#/jobs/retrying", "#/jobs/dead", "#/batches", "#/queues", "#/types", "#/schedules", "#/paused", "#/alerts", "#/enqueue", "#/maintenance"];

    [Fact]
    public async Task At_390_px_nothing_overflows_and_the_navigation_is_a_menu_and_at_1280_px_the_navigation_is_one_row()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Client.EnqueueAsync(new ReportArgs(Guid.NewGuid(), "a-rather-long-format-name-that-might-push-the-row-wider", 2026, true));
        var failed = (await host.Client.EnqueueAsync(new FlakyArgs("a failure with a long message that must wrap or be cut on a phone screen")));
        await host.ProcessAllAsync();

        var (wide, desktop, _) = await browser.NewPageAsync();
        await using (wide)
        {
            await DashboardPage.SignInAsync(desktop, host, host.FullKey);
            var tops = await desktop.EvalOnSelectorAllAsync<double[]>("#nav a", "as => as.filter(a => a.offsetParent).map(a => a.getBoundingClientRect().top)");
            Assert.Equal(10, tops.Length);
            Assert.Single(tops.Distinct());
            var statusTops = await desktop.EvalOnSelectorAllAsync<double[]>("#statusnav a", "as => as.map(a => a.getBoundingClientRect().top)");
            Assert.Equal(8, statusTops.Length);
            Assert.Single(statusTops.Distinct());
            await Expect(desktop.Locator("#menu-toggle")).ToBeHiddenAsync();
            // Nothing is pushed out of the window: the navigation fits beside the brand and the sign-out.
            Assert.True(await desktop.EvaluateAsync<double>("() => document.documentElement.scrollWidth") <= 1280);
            var right = await desktop.EvalOnSelectorAsync<double>("#signout", "b => b.getBoundingClientRect().right");
            Assert.True(right <= 1280, $"sign-out ends at {right} px");
            var signOutTop = await desktop.EvalOnSelectorAsync<double>("#signout", "b => b.getBoundingClientRect().top");
            Assert.True(Math.Abs(signOutTop - tops[0]) < 20, $"sign-out at {signOutTop} px, the navigation at {tops[0]} px: not one row");
        }

        var (narrow, phone, errors) = await browser.NewPageAsync(width: 390, height: 844);
        await using var __ = narrow;
        await DashboardPage.SignInAsync(phone, host, host.FullKey);
        await Expect(phone.Locator("#nav")).ToBeHiddenAsync();
        await Expect(phone.Locator("#menu-toggle")).ToHaveAttributeAsync("aria-expanded", "false");
        // The menu by keyboard: Enter opens it with the focus on its first link, Escape closes it back to the button.
        await phone.FocusAsync("#menu-toggle");
        await phone.Keyboard.PressAsync("Enter");
        await Expect(phone.Locator("#nav")).ToBeVisibleAsync();
        await Expect(phone.Locator("#menu-toggle")).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.Equal("overview", await phone.EvaluateAsync<string>("() => document.activeElement.dataset.nav"));
        await AssertNoViolationsAsync(phone, "390 px, menu open");
        await phone.Keyboard.PressAsync("Escape");
        await Expect(phone.Locator("#nav")).ToBeHiddenAsync();
        Assert.Equal("menu-toggle", await phone.EvaluateAsync<string>("() => document.activeElement.id"));
        await phone.ClickAsync("#menu-toggle");
        await phone.ClickAsync("#nav a[data-nav=queues]");
        await Expect(phone.Locator("#groups-title")).ToHaveTextAsync("Queues");
        await Expect(phone.Locator("#nav")).ToBeHiddenAsync();

        foreach (var hash in Pages.Append($"#/job/{failed.Id}"))
        {
            await DashboardPage.GoAsync(phone, host, hash);
            await WaitForRefreshesAsync(phone, 1);
            var width = await phone.EvaluateAsync<double>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 390, $"{hash} is {width} px wide at 390 px");
        }
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Bulk_selection_works_from_the_keyboard_and_keeps_its_focus_and_ticks_across_live_refreshes()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 4).Select(i => new EchoArgs($"k{i}")));
        var target = (await host.Client.ListAsync(new JobQuery { Limit = 4 })).Items[1].Id;
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/pending");
        var box = page.Locator($"input[data-select='{Id(target)}']");
        await box.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Expect(box).ToBeCheckedAsync();
        await Expect(page.Locator("#bulk-count")).ToHaveTextAsync("1 selected");

        // New jobs arrive above it; the refreshes keep the tick and the focus on the same box.
        await host.Client.EnqueueAsync(new EchoArgs("newer"));
        await Expect(page.Locator("#list-table tbody tr")).ToHaveCountAsync(5);
        await WaitForRefreshesAsync(page, 2);
        await Expect(box).ToBeCheckedAsync();
        Assert.Equal(Id(target), await page.EvaluateAsync<string?>("() => document.activeElement.dataset.select"));
        // Enter on a bulk button asks first; Escape keeps everything as it was.
        await page.FocusAsync("#bulk button[data-bulk=cancel]");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.Equal(JobStatus.Pending, (await host.Client.GetAsync(target))!.Status);
    }

    [Fact]
    public async Task Screenshots_of_every_page_at_desktop_and_phone_width_for_the_docs()
    {
        await using var host = await DashboardHost.StartAsync(
            jobsBuilder: j => j.AddLimit(new JobLimit { Scope = JobLimitScope.Queue, Name = "reports", Rate = 60, Concurrency = 4 }));
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 30).Select(i => new EchoArgs($"hello {i}")));
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 8).Select(i => new ReportArgs(Guid.NewGuid(), "pdf", 2026, i % 2 == 0)));
        await host.Client.EnqueueAsync(new FlakyArgs("the CRM's API answered 503"), new EnqueueOptions { MaxAttempts = 1 });
        await host.Client.EnqueueAsync(new LaterArgs("quota"));
        await host.ProcessAllAsync();
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 12).Select(i => new EchoArgs($"queued {i}")));
        await host.Client.EnqueueAsync(new EchoArgs("tomorrow"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) });
        await host.Services.GetRequiredService<IJobPauses>().PauseAsync(JobPauseScope.Queue, "reports");
        var job = (await host.Client.ListAsync(new JobQuery { Status = JobStatus.Failed, Limit = 1 })).Items[0].Id;

        foreach (var (width, height) in new[] { (1280, 860), (390, 844) })
        {
            var (context, page, _) = await browser.NewPageAsync(width, height);
            await using var __ = context;
            await DashboardPage.SignInAsync(page, host, host.FullKey);
            foreach (var (hash, name) in new[]
            {
                ("#/", "overview"), ("#/jobs/pending", "list"), ("#/jobs/retrying", "retries"), ("#/jobs/dead", "dead"), ("#/queues", "queues"),
                ("#/types", "types"), ("#/schedules", "schedules"), ("#/paused", "paused"), ("#/alerts", "alerts"), ($"#/job/{job}", "job"),
                ("#/enqueue", "enqueue"), ("#/maintenance", "maintenance"),
            })
            {
                await DashboardPage.GoAsync(page, host, hash);
                await WaitForRefreshesAsync(page, 1);
                if (name == "list")
                {
                    await page.CheckAsync("#list-table tbody tr:nth-child(2) input[data-select]");
                    await page.CheckAsync("#list-table tbody tr:nth-child(3) input[data-select]");
                }
                await Screenshots.SaveAsync(page, $"{(width < 1000 ? "phone" : "desktop")}-{name}", fullPage: width < 1000 || name is "queues" or "types");
            }
            if (width < 1000)
            {
                await page.ClickAsync("#menu-toggle");
                await Expect(page.Locator("#nav")).ToBeVisibleAsync();
                await Screenshots.SaveAsync(page, "phone-menu", fullPage: false);
            }
        }
    }
}
