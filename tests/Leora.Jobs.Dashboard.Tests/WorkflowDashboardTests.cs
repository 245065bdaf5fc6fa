using System.Globalization;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// Workflows in headless Chromium (issue 14), on SQLite and PostgreSQL: the Batches page, a batch's view (description,
/// counts, progress, finished time, callbacks, its jobs paged with links) with a Cancel button for a full key only (a
/// read-only key sees none and gets 403), and the Workflow section of a job's page (its batch, parents and dependants);
/// focus kept across live refreshes, WCAG 2.2 AA by axe-core, the 390 px layout, and the screenshots for the docs.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WorkflowDashboardTests(BrowserFixture browser)
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

    /// <summary>
    /// A finished batch (an import: extract, then two jobs that wait for it, and one that fails; an on-complete and an
    /// on-failure callback) and a running one of 60 jobs with an on-success callback; a plain job besides.
    /// </summary>
    private sealed record Fixture(WorkflowResult Finished, WorkflowResult Running, long Plain);

    private static async Task<Fixture> ArrangeAsync(DashboardHost host)
    {
        var workflows = host.Services.GetRequiredService<IJobWorkflows>();
        var finished = await workflows.CreateBatchAsync(new JobBatchRequest
        {
            Description = "import 42",
            Jobs =
            [
                WorkflowJob.For(new EchoArgs("extract"), "extract"),
                WorkflowJob.For(new EchoArgs("customer 1"), "c1", null, "extract"),
                WorkflowJob.For(new EchoArgs("customer 2"), "c2", null, "extract"),
                WorkflowJob.For(new FlakyArgs("the CRM's API answered 503")),
            ],
            OnComplete = WorkflowJob.For(new ReportArgs(Guid.NewGuid(), "pdf", 2026, false)),
            OnFailure = WorkflowJob.For(new EchoArgs("tell the importer")),
        });
        // Each round runs what is due: the parent, then its released dependants, then the callbacks.
        for (var round = 0; round < 10; round++)
            if (await host.ProcessAllAsync() == 0) break;
        var done = (await workflows.GetBatchAsync(finished.BatchId!.Value))!;
        Assert.True(done.IsFinished, "the first batch did not finish");
        Assert.Equal(JobStatus.Completed, (await host.Client.GetAsync(finished.OnCompleteJobId!.Value))!.Status);

        var running = await workflows.CreateBatchAsync(new JobBatchRequest
        {
            Jobs = [.. Enumerable.Range(0, 60).Select(i => WorkflowJob.For(new EchoArgs($"enrich customer {i}")))],
            OnSuccess = WorkflowJob.For(new ReportArgs(Guid.NewGuid(), "xlsx", 2026, true)),
            Description = "enrichment of the March import",
        });
        var plain = (await host.Client.EnqueueAsync(new EchoArgs("on its own"))).Id;
        return new Fixture(finished, running, plain);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task The_batches_page_a_batchs_view_and_a_jobs_workflow_show_counts_callbacks_links_and_a_full_key_cancels(string provider)
    {
        await using var host = await DashboardHost.StartAsync(provider: provider);
        var f = await ArrangeAsync(host);
        var finished = f.Finished.BatchId!.Value;
        var running = f.Running.BatchId!.Value;
        var (context, page, errors) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);

        await page.ClickAsync("#nav a[data-nav=batches]");
        var rows = page.Locator("#batches tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync($"#{running}");
        await Expect(rows.Nth(0)).ToContainTextAsync("enrichment of the March import");
        await Expect(rows.Nth(0).Locator(".status")).ToHaveTextAsync("running");
        await Expect(rows.Nth(1).Locator(".status")).ToHaveTextAsync("finished with failures");
        await Expect(rows.Nth(1).Locator("progress")).ToHaveAttributeAsync("aria-label", $"Batch #{finished}: 4 of 4 finished");
        await Expect(page.Locator("#nav a[data-nav=batches]")).ToHaveAttributeAsync("aria-current", "page");
        await AssertNoViolationsAsync(page, "batches");

        // The finished batch: its description, counts, finished time, both callbacks with their outcome.
        await rows.Nth(1).Locator("a").ClickAsync();
        await Expect(page.Locator("#batch-title")).ToHaveTextAsync($"Batch #{finished}");
        await Expect(page.Locator("#batch-description")).ToHaveTextAsync("import 42");
        await Expect(page.Locator("#batch-state")).ToHaveTextAsync("finished with failures");
        await Expect(page.Locator("#batch-total")).ToHaveTextAsync("4");
        await Expect(page.Locator("#batch-completed")).ToHaveTextAsync("3");
        await Expect(page.Locator("#batch-failed")).ToHaveTextAsync("1");
        await Expect(page.Locator("#batch-pending")).ToHaveTextAsync("0");
        await Expect(page.Locator("#batch-cancelled")).ToHaveTextAsync("0");
        await Expect(page.Locator("#batch-progress-text")).ToHaveTextAsync("4 of 4 finished: 3 completed, 1 failed, 0 cancelled (100%)");
        await Expect(page.Locator("#batch-fields")).ToContainTextAsync("Finished");
        await Expect(page.Locator("#batch-fields dd").Nth(1).Locator("time")).ToHaveCountAsync(1);
        await Expect(page.Locator("#batch-cancel")).ToBeDisabledAsync();
        var callbacks = page.Locator("#batch-callbacks tbody tr");
        await Expect(callbacks).ToHaveCountAsync(2);
        await Expect(callbacks.Nth(0)).ToContainTextAsync($"On complete#{f.Finished.OnCompleteJobId}reportcompleted");
        await Expect(callbacks.Nth(1)).ToContainTextAsync($"On failure#{f.Finished.OnFailureJobId}echocompleted");
        var members = page.Locator("#batch-jobs tbody tr");
        await Expect(members).ToHaveCountAsync(4);
        await Expect(members.Nth(3).Locator(".status")).ToHaveTextAsync("dead");
        await Expect(members.Nth(3)).ToContainTextAsync("boom: the CRM's API answered 503");
        await AssertNoViolationsAsync(page, "finished batch");

        // The parent's page: its batch with counts, its two dependants with their status, no parents.
        var extract = f.Finished.JobIds[0];
        await members.Nth(0).Locator("a").ClickAsync();
        await Expect(page.Locator("#job-title")).ToHaveTextAsync($"Job #{extract}");
        await Expect(page.Locator("#job-workflow")).ToBeVisibleAsync();
        await Expect(page.Locator("#job-workflow-batch")).ToHaveTextAsync($"Member of batch #{finished} import 42: 4 of 4 finished: 3 completed, 1 failed, 0 cancelled.");
        await Expect(page.Locator("#job-parents li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#job-parents-none")).ToBeVisibleAsync();
        var dependants = page.Locator("#job-dependants li");
        await Expect(dependants).ToHaveCountAsync(2);
        await Expect(dependants.Nth(0)).ToHaveTextAsync($"#{f.Finished.JobIds[1]} echo completed");
        await Expect(dependants.Nth(1)).ToHaveTextAsync($"#{f.Finished.JobIds[2]} echo completed");
        await AssertNoViolationsAsync(page, "job with dependants");
        // A dependant's page names its parent, linked.
        await dependants.Nth(1).Locator("a").ClickAsync();
        await Expect(page.Locator("#job-title")).ToHaveTextAsync($"Job #{f.Finished.JobIds[2]}");
        await Expect(page.Locator("#job-parents li")).ToHaveTextAsync($"#{extract} echo completed");
        await Expect(page.Locator("#job-dependants-none")).ToBeVisibleAsync();
        // A callback's page says what it is; the batch link leads back.
        await DashboardPage.GoAsync(page, host, $"#/job/{f.Finished.OnCompleteJobId}");
        await Expect(page.Locator("#job-workflow-batch")).ToContainTextAsync($"On-complete callback of batch #{finished}");
        await page.ClickAsync("#job-workflow-batch a");
        await Expect(page.Locator("#batch-title")).ToHaveTextAsync($"Batch #{finished}");
        // A job outside any workflow has no Workflow section.
        await DashboardPage.GoAsync(page, host, $"#/job/{f.Plain}");
        await Expect(page.Locator("#job-status")).ToHaveTextAsync("pending");
        await WaitForRefreshesAsync(page, 1);
        await Expect(page.Locator("#job-workflow")).ToBeHiddenAsync();

        // The running batch: 60 jobs paged by 50, its callback waiting; a link keeps the focus across live refreshes.
        await DashboardPage.GoAsync(page, host, $"#/batch/{running}");
        await Expect(page.Locator("#batch-state")).ToHaveTextAsync("running");
        await Expect(page.Locator("#batch-pending")).ToHaveTextAsync("60");
        await Expect(page.Locator("#batch-fields dd").Nth(1)).ToHaveTextAsync("–");
        await Expect(callbacks).ToHaveCountAsync(1);
        await Expect(callbacks.First).ToContainTextAsync($"On success#{f.Running.OnSuccessJobId}reportwaiting");
        await Expect(members).ToHaveCountAsync(50);
        await Expect(page.Locator("#batch-page-info")).ToHaveTextAsync("page 1 of 2 · 1–50 of 60");
        var link = page.Locator($"#batch-jobs tr[data-id='{Id(f.Running.JobIds[3])}'] a");
        await link.FocusAsync();
        Assert.Equal(5, (await host.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 5 }, CancellationToken.None)).Processed);
        await Expect(page.Locator("#batch-pending")).ToHaveTextAsync("55");
        await WaitForRefreshesAsync(page, 2);
        Assert.Equal($"#/job/{f.Running.JobIds[3]}", await page.EvaluateAsync<string?>("() => document.activeElement.getAttribute('href')"));
        await page.ClickAsync("#batch-page-next");
        await Expect(page.Locator("#batch-page-info")).ToHaveTextAsync("page 2 of 2 · 51–60 of 60");
        await Expect(members).ToHaveCountAsync(10);
        await Expect(page.Locator("#batch-page-next")).ToBeDisabledAsync();
        await AssertNoViolationsAsync(page, "running batch, page 2");
        await page.ClickAsync("#batch-page-first");
        await Expect(members).ToHaveCountAsync(50);

        // Cancel asks first, then ends the batch: its pending jobs and its callback are cancelled.
        var workflows = host.Services.GetRequiredService<IJobWorkflows>();
        await page.ClickAsync("#batch-cancel");
        await Expect(page.Locator("#confirm")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#confirm")).ToBeHiddenAsync();
        Assert.Null((await workflows.GetBatchAsync(running))!.CancelledAt);
        await page.ClickAsync("#batch-cancel");
        await DashboardPage.ConfirmAsync(page);
        await Expect(page.Locator("#batch-result")).ToHaveTextAsync("Cancelled: 55 jobs cancelled.");
        await Expect(page.Locator("#batch-state")).ToHaveTextAsync("cancelled");
        await Expect(page.Locator("#batch-cancel")).ToBeDisabledAsync();
        await Expect(callbacks.First).ToContainTextAsync("cancelled");
        var cancelled = (await workflows.GetBatchAsync(running))!;
        Assert.NotNull(cancelled.CancelledAt);
        Assert.Equal(0, cancelled.Pending);
        Assert.Equal(5, cancelled.Completed);
        Assert.Equal(55, cancelled.Cancelled);
        await Expect(page.Locator("#batch-cancelled")).ToHaveTextAsync("55");
        await Expect(page.Locator("#batch-completed")).ToHaveTextAsync("5");
        Assert.Equal(JobStatus.Cancelled, (await host.Client.GetAsync(f.Running.OnSuccessJobId!.Value))!.Status);

        // An unknown batch says so.
        await DashboardPage.GoAsync(page, host, "#/batch/987654");
        await Expect(page.Locator("#batch-state")).ToHaveTextAsync("not found");
        Assert.DoesNotContain(errors, e => !e.Contains("404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_only_key_sees_batches_and_workflows_without_controls_and_its_cancel_is_refused()
    {
        await using var host = await DashboardHost.StartAsync();
        var f = await ArrangeAsync(host);
        var running = f.Running.BatchId!.Value;
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await DashboardPage.GoAsync(page, host, $"#/batch/{running}");
        await Expect(page.Locator("#batch-jobs tbody tr")).ToHaveCountAsync(50);
        await Expect(page.Locator("#batch-cancel")).ToBeHiddenAsync();
        await AssertNoViolationsAsync(page, "batch, read-only");
        await DashboardPage.GoAsync(page, host, $"#/job/{f.Finished.JobIds[0]}");
        await Expect(page.Locator("#job-dependants li")).ToHaveCountAsync(2);

        var statuses = await page.EvaluateAsync<int[]>($$"""
            async () => {
              const s = await (await fetch('api/session')).json();
              const post = (path) => fetch(path, { method: 'POST', headers: { [s.csrfHeader]: s.csrfToken } }).then((r) => r.status);
              return [await post('api/batches/{{Id(running)}}/cancel'), (await fetch('api/batches/{{Id(running)}}')).status];
            }
            """);
        Assert.Equal([403, 200], statuses);
        var batch = (await host.Services.GetRequiredService<IJobWorkflows>().GetBatchAsync(running))!;
        Assert.Null(batch.CancelledAt);
        Assert.Equal(60, batch.Pending);
    }

    [Fact]
    public async Task At_390_px_the_batch_pages_fit_and_screenshots_are_taken_at_desktop_and_phone_width()
    {
        await using var host = await DashboardHost.StartAsync();
        var f = await ArrangeAsync(host);
        // Part of the running batch done, so that its progress shows.
        await host.Processor.ProcessBatchAsync(new BatchOptions { MaxJobs = 25 }, CancellationToken.None);
        var pages = new[]
        {
            ("#/batches", "batches"), ($"#/batch/{f.Running.BatchId}", "batch"), ($"#/batch/{f.Finished.BatchId}", "batch-finished"),
            ($"#/job/{f.Finished.JobIds[0]}", "job-workflow"),
        };
        foreach (var (width, height) in new[] { (1280, 860), (390, 844) })
        {
            var (context, page, errors) = await browser.NewPageAsync(width, height);
            await using var __ = context;
            await DashboardPage.SignInAsync(page, host, host.FullKey);
            foreach (var (hash, name) in pages)
            {
                await DashboardPage.GoAsync(page, host, hash);
                await WaitForRefreshesAsync(page, 1);
                var scroll = await page.EvaluateAsync<double>("() => document.documentElement.scrollWidth");
                Assert.True(scroll <= width, $"{hash} is {scroll} px wide at {width} px");
                if (width < 1000) await AssertNoViolationsAsync(page, $"{hash} at 390 px");
                await Screenshots.SaveAsync(page, $"{(width < 1000 ? "phone" : "desktop")}-{name}", fullPage: true);
            }
            Assert.Empty(errors);
        }
    }
}
