using System.Globalization;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// Issue 19, the store-backed half, in Chromium on both stores: a job's timeline on its page, the throughput chart's hour,
/// day and week ranges with labelled axes, and the list's search by payload text and by created and finished time.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TimelineHistorySearchTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_job_page_shows_the_jobs_timeline_from_the_store(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        var id = (await host.Client.EnqueueAsync(new FlakyArgs("disk full"))).Id;
        Assert.Equal(1, await host.ProcessAllAsync());
        await DashboardPage.GoAsync(page, host, $"#/job/{id}");
        var rows = page.Locator("#job-timeline tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal(["enqueued", "claimed", "failed"], await KindsAsync(page));
        await Expect(rows.Nth(1).Locator("td").Nth(4)).ToHaveTextAsync(DashboardHost.WorkerName);
        await Expect(rows.Nth(2).Locator("td").Nth(5)).ToContainTextAsync("ended failed: boom: disk full");

        // Retried from the page and run again: the timeline grows while the page is open (live refresh).
        host.Flaky.Failing = false;
        await page.ClickAsync("#job-retry");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("pending");
        Assert.Equal(1, await host.ProcessAllAsync());
        await Expect(rows).ToHaveCountAsync(6);
        Assert.Equal(["enqueued", "claimed", "failed", "retried", "claimed", "completed"], await KindsAsync(page));
        await Expect(rows.Nth(5).Locator("td").Nth(3)).ToHaveTextAsync("2");
        // Each time carries its UTC instant for a hover.
        Assert.EndsWith("Z", await rows.Nth(0).Locator("td").Nth(0).GetAttributeAsync("title"), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_chart_draws_the_last_hour_day_and_week_from_the_history_with_labelled_axes(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        await host.Client.EnqueueManyAsync(Enumerable.Range(0, 5).Select(i => new EchoArgs($"c{i}")));
        await host.Client.EnqueueAsync(new FlakyArgs("no"));
        Assert.Equal(6, await host.ProcessAllAsync());
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        var bars = page.Locator("#chart > g");
        await Expect(page.Locator("#chart-title")).ToHaveTextAsync("Throughput, last hour (per minute)");
        await Expect(bars).ToHaveCountAsync(60);
        await Expect(page.Locator("#chart text.y-title")).ToHaveTextAsync("jobs per minute");
        await Expect(page.Locator("#chart text.x-title")).ToHaveTextAsync("time (UTC)");
        // The totals over the range, not one bar's: the jobs may finish either side of a minute's (or an hour's) turn.
        await Expect(page.Locator("#chart")).ToHaveAttributeAsync("aria-label", "Completed and failed jobs per minute over the last hour: 5 completed, 1 failed");
        Assert.True(await page.Locator("#chart text.x-tick").CountAsync() >= 5, "time ticks along the hour");
        Assert.True(await page.Locator("#chart text.y-tick").CountAsync() >= 2, "count ticks");

        await page.ClickAsync(".chart-range button[data-range=day]");
        await Expect(page.Locator(".chart-range button[data-range=day]")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(page.Locator("#chart-title")).ToHaveTextAsync("Throughput, last day (per hour)");
        await Expect(bars).ToHaveCountAsync(24);
        await Expect(page.Locator("#chart text.y-title")).ToHaveTextAsync("jobs per hour");
        await Expect(page.Locator("#chart")).ToHaveAttributeAsync("aria-label", "Completed and failed jobs per hour over the last day: 5 completed, 1 failed");

        await page.ClickAsync(".chart-range button[data-range=week]");
        await Expect(page.Locator("#chart-title")).ToHaveTextAsync("Throughput, last week (per hour)");
        await Expect(bars).ToHaveCountAsync(168);
        await Expect(page.Locator("#chart")).ToHaveAttributeAsync("aria-label", "Completed and failed jobs per hour over the last week: 5 completed, 1 failed");
        // A tick a day: six or seven midnights in 168 hours.
        Assert.InRange(await page.Locator("#chart text.x-tick").CountAsync(), 6, 7);

        // The range holds across live refreshes.
        var drawn = int.Parse((await page.Locator("#main").GetAttributeAsync("data-refreshes"))!, CultureInfo.InvariantCulture);
        await Expect(page.Locator("#main")).Not.ToHaveAttributeAsync("data-refreshes", drawn.ToString(CultureInfo.InvariantCulture));
        await Expect(bars).ToHaveCountAsync(168);
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_list_searches_by_payload_text_and_by_created_and_finished_time(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var a = (await host.Client.EnqueueAsync(new EchoArgs("alpha needle"))).Id;
        await host.Client.EnqueueAsync(new EchoArgs("beta"));
        var c = (await host.Client.EnqueueAsync(new EchoArgs("a NEEDLE in caps"), new EnqueueOptions { Delay = TimeSpan.FromDays(1) })).Id;
        Assert.Equal(2, await host.ProcessAllAsync());
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/jobs");
        var rows = page.Locator("#list-table tbody tr");
        await Expect(rows).ToHaveCountAsync(3);

        await page.FillAsync("#filter-payload", "needle");
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(2);
        Assert.Equal([c.ToString(CultureInfo.InvariantCulture), a.ToString(CultureInfo.InvariantCulture)],
            await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.id)"));
        Assert.Contains("payload=needle", page.Url, StringComparison.Ordinal);

        // Finished in the last two days: the completed one only (the scheduled one has not run).
        static string Local(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture); // the browser runs in UTC
        await page.FillAsync("#filter-finished-from", Local(DateTime.UtcNow.AddDays(-2)));
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-id", a.ToString(CultureInfo.InvariantCulture));

        // Created from tomorrow: none; the form keeps what was asked after the reload of the view.
        await page.FillAsync("#filter-finished-from", "");
        var tomorrow = Local(DateTime.UtcNow.AddDays(1));
        await page.FillAsync("#filter-created-from", tomorrow);
        await page.ClickAsync("#list-filters button[type=submit]");
        await Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        await Expect(rows).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.Locator("#filter-payload")).ToHaveValueAsync("needle");
        await Expect(page.Locator("#filter-created-from")).ToHaveValueAsync(tomorrow);
        await Expect(rows).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    private static Task<string[]> KindsAsync(Microsoft.Playwright.IPage page) =>
        page.Locator("#job-timeline tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.kind)");
}
