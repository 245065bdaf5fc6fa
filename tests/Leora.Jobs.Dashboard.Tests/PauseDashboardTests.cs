using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// The Paused page in headless Chromium (issue 12): what is paused, a form to pause a queue or a job type and a Resume
/// button per pause for a full key; none of them for a read-only key, whose requests get 403; WCAG 2.2 AA by axe-core.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PauseDashboardTests(BrowserFixture browser)
{
    private static readonly List<string> WcagAa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagAa } });
        Assert.True(result.Violations.Length == 0, $"{what}: " + string.Join(Environment.NewLine,
            result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at " + string.Join(", ", v.Nodes.Select(n => n.Target?.ToString())))));
        Assert.NotEmpty(result.Passes);
    }

    [Fact]
    public async Task A_full_key_pauses_and_resumes_a_queue_and_a_job_type_and_the_page_shows_what_is_paused()
    {
        await using var host = await DashboardHost.StartAsync();
        var pauses = host.Services.GetRequiredService<IJobPauses>();
        await pauses.PauseAsync(JobPauseScope.Queue, "images");
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/paused");

        var rows = page.Locator("#paused tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync("images");
        await AssertNoViolationsAsync(page, "paused");

        await page.SelectOptionAsync("#pause-scope", "type");
        await page.FillAsync("#pause-name", "echo");
        await page.ClickAsync("#pause-form button[type=submit]");
        await Expect(page.Locator("#paused-result")).ToContainTextAsync("Paused job type echo");
        await Expect(rows).ToHaveCountAsync(2);
        Assert.Equal([(JobPauseScope.Queue, "images"), (JobPauseScope.Type, "echo")], (await pauses.ListAsync()).Select(p => (p.Scope, p.Name)));

        // An unregistered type is refused with the known types named, and nothing is paused.
        await page.FillAsync("#pause-name", "no_such_type");
        await page.ClickAsync("#pause-form button[type=submit]");
        await Expect(page.Locator("#paused-result.bad")).ToContainTextAsync("Known types");
        await Expect(rows).ToHaveCountAsync(2);

        await page.ClickAsync("button[aria-label='Resume queue images']");
        await Expect(page.Locator("#paused-result")).ToContainTextAsync("Resumed queue images");
        await Expect(rows).ToHaveCountAsync(1);
        Assert.Equal([(JobPauseScope.Type, "echo")], (await pauses.ListAsync()).Select(p => (p.Scope, p.Name)));
        await AssertNoViolationsAsync(page, "paused after actions");
    }

    [Fact]
    public async Task A_read_only_key_sees_what_is_paused_without_buttons_and_its_requests_are_refused()
    {
        await using var host = await DashboardHost.StartAsync();
        var pauses = host.Services.GetRequiredService<IJobPauses>();
        await pauses.PauseAsync(JobPauseScope.Queue, "images");
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await DashboardPage.GoAsync(page, host, "#/paused");
        await Expect(page.Locator("#paused tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#paused tbody button")).ToHaveCountAsync(0);
        await Expect(page.Locator("#pause-form")).ToBeHiddenAsync();
        await AssertNoViolationsAsync(page, "paused, read-only");

        var statuses = await page.EvaluateAsync<int[]>("""
            async () => {
              const s = await (await fetch('api/session')).json();
              const post = (path) => fetch(path, { method: 'POST', headers: { [s.csrfHeader]: s.csrfToken } }).then((r) => r.status);
              return [await post('api/pauses/queue/images/resume'), await post('api/pauses/queue/mail/pause')];
            }
            """);
        Assert.Equal([403, 403], statuses);
        Assert.Equal([(JobPauseScope.Queue, "images")], (await pauses.ListAsync()).Select(p => (p.Scope, p.Name)));
    }
}
