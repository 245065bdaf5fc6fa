using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// The Schedules page in headless Chromium (issue 12): each schedule with its next five runs in its zone and in UTC, its
/// last job and whether it is enabled; enable, disable and trigger buttons for a full key, none for a read-only key;
/// WCAG 2.2 AA by axe-core. Draws docs/images/dashboard-schedules.png.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScheduleDashboardTests(BrowserFixture browser)
{
    private static readonly List<string> WcagAa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagAa } });
        Assert.True(result.Violations.Length == 0, $"{what}: " + string.Join(Environment.NewLine,
            result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at " + string.Join(", ", v.Nodes.Select(n => n.Target?.ToString())))));
        Assert.NotEmpty(result.Passes);
    }

    private static async Task<IJobSchedules> SchedulesAsync(DashboardHost host)
    {
        var schedules = host.Services.GetRequiredService<IJobSchedules>();
        await schedules.CreateAsync(new JobSchedule
        {
            Name = "nightly-report", Cron = "0 2 * * *", TimeZone = "Europe/Berlin", Type = "report",
            Payload = """{"accountId":"7d1c3f52-8a3e-4c55-9a53-6f0b0d0e2a11","format":"xlsx","year":2026,"includeArchived":false}""",
            Overlap = OverlapPolicy.Skip,
        });
        await schedules.CreateAsync(new JobSchedule
        {
            Name = "weekly-enrichment", Cron = "0 6 * * 1", TimeZone = "America/New_York", Type = "echo", Payload = """{"text":"refresh"}""",
        });
        return schedules;
    }

    [Fact]
    public async Task The_schedules_page_shows_next_runs_and_last_jobs_and_a_full_key_may_steer_them()
    {
        await using var host = await DashboardHost.StartAsync();
        var schedules = await SchedulesAsync(host);
        var earlier = await schedules.TriggerAsync("weekly-enrichment");
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/schedules");

        var rows = page.Locator("#schedules tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        var nightly = rows.Filter(new() { HasText = "nightly-report" });
        // Five runs in Berlin's wall-clock time (02:00, with its offset) and the same five in UTC.
        await Expect(nightly.Locator("td").Nth(4).Locator("div")).ToHaveCountAsync(5);
        await Expect(nightly.Locator("td").Nth(5).Locator("div")).ToHaveCountAsync(5);
        foreach (var run in await nightly.Locator("td").Nth(4).Locator("div").AllTextContentsAsync())
            Assert.Matches(@"^\d{4}-\d{2}-\d{2} 02:00 \+0[12]:00$", run);
        foreach (var run in await nightly.Locator("td").Nth(5).Locator("div").AllTextContentsAsync())
            Assert.Matches(@"^\d{4}-\d{2}-\d{2} 0[01]:00 UTC$", run);
        await Expect(nightly).ToContainTextAsync("Europe/Berlin");
        await Expect(nightly).ToContainTextAsync("none yet");
        var weekly = rows.Filter(new() { HasText = "weekly-enrichment" });
        await Expect(weekly.Locator($"a[href='#/job/{earlier!.Id}']")).ToBeVisibleAsync();
        await Expect(weekly.Locator(".status.pending")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "schedules");

        await page.ClickAsync("button[aria-label='Disable: nightly-report']");
        await Expect(page.Locator("#schedules-result")).ToContainTextAsync("nightly-report is disabled");
        await Expect(nightly).ToContainTextAsync("no (disabled)");
        Assert.False((await schedules.GetAsync("nightly-report"))!.Schedule.Enabled);

        await page.ClickAsync("button[aria-label='Trigger now: nightly-report']");
        await Expect(page.Locator("#schedules-result")).ToContainTextAsync("Enqueued job #");
        var triggered = (await schedules.GetAsync("nightly-report"))!.LastJobId;
        Assert.NotNull(triggered);
        await Expect(nightly.Locator($"a[href='#/job/{triggered}']")).ToBeVisibleAsync();

        await page.ClickAsync("button[aria-label='Enable: nightly-report']");
        await Expect(nightly).Not.ToContainTextAsync("no (disabled)");
        Assert.True((await schedules.GetAsync("nightly-report"))!.Schedule.Enabled);
        await AssertNoViolationsAsync(page, "schedules after actions");
        await page.ClickAsync("button[aria-label='Disable: weekly-enrichment']");
        await Expect(weekly).ToContainTextAsync("no (disabled)");
        await Screenshots.SaveAsync(page, "schedules");
    }

    [Fact]
    public async Task A_read_only_key_sees_the_schedules_without_buttons()
    {
        await using var host = await DashboardHost.StartAsync();
        await SchedulesAsync(host);
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await DashboardPage.GoAsync(page, host, "#/schedules");
        await Expect(page.Locator("#schedules tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#schedules tbody button")).ToHaveCountAsync(0);
        await Expect(page.Locator("#schedules thead th", new() { HasText = "Actions" })).ToBeHiddenAsync();
        await AssertNoViolationsAsync(page, "schedules, read-only");

        // The actions themselves are refused to a read-only session, whatever a page sends.
        var status = await page.EvaluateAsync<int>("""
            async () => {
              const s = await (await fetch('api/session')).json();
              const r = await fetch('api/schedules/nightly-report/disable', { method: 'POST', headers: { [s.csrfHeader]: s.csrfToken } });
              return r.status;
            }
            """);
        Assert.Equal(403, status);
        Assert.True((await host.Services.GetRequiredService<IJobSchedules>().GetAsync("nightly-report"))!.Schedule.Enabled);
    }
}
