using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>The main flows again, in Chromium, over the PostgreSQL store (a fresh schema, dropped afterwards).</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardPostgreSqlTests(BrowserFixture browser)
{
    [Fact]
    public async Task Counts_lists_paging_errors_retry_and_cancel_work_on_PostgreSQL()
    {
        await using var host = await DashboardHost.StartAsync(provider: "postgresql");
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 60).Select(i => new EchoArgs($"pg {i}")));
        var failedId = (await host.Client.EnqueueAsync(new FlakyArgs("constraint violated"))).Id;
        var scheduledId = (await host.Client.EnqueueAsync(new EchoArgs("tomorrow"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) })).Id;
        await Expect(page.Locator("#count-pending")).ToHaveTextAsync("61");
        await Expect(page.Locator("#count-scheduled")).ToHaveTextAsync("1");

        Assert.Equal(61, await host.ProcessAllAsync());
        await Expect(page.Locator("#count-completed")).ToHaveTextAsync("60");
        await Expect(page.Locator("#count-failed")).ToHaveTextAsync("1");
        // One failure in 61 is below the 10% alert ratio: amber, not red.
        await Expect(page.Locator("#health")).ToHaveClassAsync("health warning");
        await Expect(page.Locator("#health-reasons")).ToHaveTextAsync("1 of 61 finished jobs failed in the last 5 minutes.");
        await Expect(page.Locator("#stat-completed-hour")).ToHaveTextAsync("60");

        await DashboardPage.GoAsync(page, host, "#/jobs/completed");
        var rows = page.Locator("#list-table tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        await page.ClickAsync("#page-next");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("page 2 of 2 · 51–60 of 60");
        await Expect(page.Locator("#page-next")).ToBeDisabledAsync();

        await DashboardPage.GoAsync(page, host, $"#/job/{failedId}");
        await Expect(page.Locator("#job-errors li .msg")).ToHaveTextAsync("boom: constraint violated");
        host.Flaky.Failing = false;
        await page.ClickAsync("#job-retry");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("pending");
        Assert.Equal(1, await host.ProcessAllAsync());
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("completed");

        await DashboardPage.GoAsync(page, host, $"#/job/{scheduledId}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("scheduled");
        await page.ClickAsync("#job-cancel");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("cancelled");
        Assert.Equal(JobStatus.Cancelled, (await host.Client.GetAsync(scheduledId))!.Status);
    }
}
