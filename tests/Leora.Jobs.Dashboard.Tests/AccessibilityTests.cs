using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Leora.Jobs.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// WCAG 2.2 AA in Chromium (issue 11, item 17): axe-core finds no violation on any page, and a keyboard user's focus
/// survives the live refresh.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser)
{
    private static readonly List<string> WcagAa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    /// <summary>Runs axe-core on the page as it is and fails with every violation, its rule, impact and elements.</summary>
    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagAa } });
        var violations = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at " + string.Join(", ", v.Nodes.Select(n =>
                $"{n.Target} [{string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}]")));
        Assert.True(result.Violations.Length == 0, $"{what}: " + string.Join(Environment.NewLine, violations));
        // Something was checked: the page was drawn, not blank.
        Assert.NotEmpty(result.Passes);
    }

    /// <summary>Waits until the page has drawn <paramref name="count"/> more refreshes than it had (main[data-refreshes]).</summary>
    private static async Task<int> WaitForRefreshesAsync(IPage page, int count)
    {
        var start = await RefreshesAsync(page);
        await page.WaitForFunctionAsync("n => Number(document.getElementById('main').dataset.refreshes || 0) >= n", start + count);
        return start + count;
    }

    private static async Task<int> RefreshesAsync(IPage page) =>
        int.Parse(await page.EvalOnSelectorAsync<string?>("#main", "m => m.dataset.refreshes || '0'") ?? "0", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_page_passes_axe_core_for_WCAG_2_2_AA()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        var failed = (await host.Client.EnqueueAsync(new FlakyArgs("disk full"), new EnqueueOptions { IdempotencyKey = "import-7" })).Id;
        await host.Client.EnqueueAsync(new EchoArgs("done"));
        await host.ProcessAllAsync();
        await host.Client.EnqueueAsync(new EchoArgs("waiting"));
        await host.Client.EnqueueAsync(new EchoArgs("later"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) });
        await host.Client.CancelAsync((await host.Client.EnqueueAsync(new EchoArgs("never"), new EnqueueOptions { Delay = TimeSpan.FromHours(1) })).Id);
        var running = (await host.Client.EnqueueAsync(new GateArgs("accounts.csv"), new EnqueueOptions { Priority = 10 })).Id;
        var batch = host.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 1 }, CancellationToken.None);
        try
        {
            await host.Gate.Started.Task.WithTimeout(TimeSpan.FromSeconds(15), "the gated job to start");
            await CheckEveryPageAsync(host, page, failed, running);
        }
        finally
        {
            host.Gate.Open.TrySetResult();
        }
        await batch.WithTimeout(TimeSpan.FromSeconds(15), "the gated job to finish");
    }

    private static async Task CheckEveryPageAsync(DashboardHost host, IPage page, long failed, long running)
    {
        await page.GotoAsync(host.Dashboard.ToString());
        await Expect(page.Locator("#view-signin")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "sign-in");
        await page.FillAsync("#signin-key", "wrong");
        await page.ClickAsync("#signin-form button[type=submit]");
        await Expect(page.Locator("#signin-error")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "sign-in with an error");

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        // The overview with a failure (the red card and box) and a node running a job (the nodes panel).
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#health")).ToHaveClassAsync("health failing");
        await Expect(page.Locator("#nodes tbody a", new() { HasText = $"#{running}" })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "overview and nodes");
        // axe-core counts a missing h1 as best practice, not WCAG; the page has one all the same.
        await Expect(page.Locator("#view-overview h1")).ToHaveTextAsync("Overview");

        foreach (var status in new[] { "failed", "pending", "scheduled", "retrying", "processing", "completed", "dead", "cancelled" })
        {
            await DashboardPage.GoAsync(page, host, $"#/jobs/{status}");
            await Expect(page.Locator("#list-title")).ToContainTextAsync(status, new() { IgnoreCase = true });
            await WaitForRefreshesAsync(page, 1);
            await AssertNoViolationsAsync(page, $"{status} list");
        }

        await DashboardPage.GoAsync(page, host, $"#/job/{failed}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("failed");
        await Expect(page.Locator("#job-errors pre.stack")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "a failed job");
        await DashboardPage.GoAsync(page, host, $"#/job/{running}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("processing");
        await Expect(page.Locator("#job-progress")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, "a running job");

        await DashboardPage.GoAsync(page, host, "#/enqueue");
        await Expect(page.Locator("#enqueue-type option")).Not.ToHaveCountAsync(0);
        await AssertNoViolationsAsync(page, "enqueue");
        await page.FillAsync("#enqueue-payload", "{ \"text\": 5 }");
        await page.ClickAsync("#enqueue-form button[type=submit]");
        await Expect(page.Locator("#enqueue-result")).ToHaveClassAsync("result bad");
        await AssertNoViolationsAsync(page, "enqueue with an error");
        await DashboardPage.GoAsync(page, host, "#/maintenance");
        await Expect(page.Locator("#retryall-limit")).Not.ToBeEmptyAsync();
        await AssertNoViolationsAsync(page, "maintenance");
    }

    [Fact]
    public async Task A_read_only_session_and_a_leading_worker_node_pass_axe_core_too()
    {
        await using var host = await DashboardHost.StartAsync(workerConcurrency: 1);
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        var running = (await host.Client.EnqueueAsync(new GateArgs("nodes"))).Id;
        try
        {
            await host.Gate.Started.Task.WithTimeout(TimeSpan.FromSeconds(15), "the worker to start the gated job");
            await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
            await Expect(page.Locator("#ro-badge")).ToBeVisibleAsync();
            await Expect(page.Locator("#nodes tbody .badge.leader")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("#nodes tbody a", new() { HasText = $"#{running}" })).ToBeVisibleAsync();
            await AssertNoViolationsAsync(page, "overview of a read-only session with the leader's node");
        }
        finally
        {
            host.Gate.Open.TrySetResult();
        }
    }

    [Fact]
    public async Task Keyboard_focus_on_a_job_list_link_survives_live_refreshes_that_add_rows()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new EchoArgs($"e{i}")));
        var target = (await host.Client.ListAsync(new JobQuery { Limit = 5 })).Items[2].Id;

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs/pending");
        var link = page.Locator($"#list-table tbody tr[data-id='{target}'] a");
        await link.FocusAsync();
        await page.EvaluateAsync("() => { window.__focused = document.activeElement; }");

        // A new job arrives: the next refresh puts a row above the focused one.
        var newest = (await host.Client.EnqueueAsync(new EchoArgs("new"))).Id;
        await Expect(page.Locator("#list-table tbody tr").First).ToHaveAttributeAsync("data-id", newest.ToString(CultureInfo.InvariantCulture));
        await WaitForRefreshesAsync(page, 2);

        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement === window.__focused"),
            "focus moved to " + await page.EvaluateAsync<string>("() => document.activeElement.outerHTML.slice(0, 120)"));
        Assert.Equal($"#/job/{target}", await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('href')"));

        // And the keyboard goes on from there: Enter opens that job.
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#job-title")).ToHaveTextAsync($"Job #{target}");
    }

    [Fact]
    public async Task Keyboard_focus_on_the_overview_survives_live_refreshes_that_change_the_counts()
    {
        await using var host = await DashboardHost.StartAsync();
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await host.Client.EnqueueAsync(new EchoArgs("one"));
        await host.Client.EnqueueAsync(new ReportArgs(Guid.NewGuid(), "csv", 2026, false));

        await DashboardPage.SignInAsync(page, host, host.FullKey);
        var echo = page.Locator("#by-type tbody a", new() { HasText = "echo" });
        await Expect(echo).ToBeVisibleAsync();
        await echo.FocusAsync();
        await page.EvaluateAsync("() => { window.__focused = document.activeElement; }");

        await host.Client.EnqueueAsync(new EchoArgs("two"));
        await host.Client.EnqueueAsync(new FlakyArgs("a type drawn between echo and report"));
        await Expect(page.Locator("#by-type tbody tr", new() { HasText = "echo" }).Locator("td.num").First).ToHaveTextAsync("2");
        await WaitForRefreshesAsync(page, 2);

        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement === window.__focused"),
            "focus moved to " + await page.EvaluateAsync<string>("() => document.activeElement.outerHTML.slice(0, 120)"));
        Assert.Equal("#/jobs/pending?type=echo", await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('href')"));
    }
}
