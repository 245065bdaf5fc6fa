using System.Diagnostics;
using System.Net.Http.Json;
using Leora.Jobs.Server;
using Microsoft.Playwright;

namespace Leora.Jobs.Bench;

/// <summary>
/// The dashboard's first render over a store of 10,000 jobs (issue 19's goal: under 1 s), as an operator sees it: the
/// leora-jobs web service (the <c>serve</c> composition, no worker) on Kestrel at 127.0.0.1, Debian's Chromium driven by
/// Playwright, a signed-in browser opening a new tab on the overview, and on the list of pending jobs. Timed from the
/// navigation's start to the page showing its data (the overview's counts, the list's first row and its total); each page
/// is opened <see cref="Runs"/> times (the first, cold, run is reported apart from the median of the warm ones).
/// </summary>
internal sealed class DashboardScenario(Target target, Report report)
{
    private const string Key = "bench-key-0123456789abcdef0123";
    private const string Chromium = "/usr/bin/chromium";
    private const int Jobs = 10_000;
    private const int Runs = 7;
    private string S => target.Store;

    public async Task RunAsync(CancellationToken ct)
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"The dashboard scenario needs Debian's chromium at {Chromium} (apt-get install -y chromium).");
        await target.ResetAsync(ct);
        string[] store = target.Store == "postgresql"
            ? ["--Jobs:Provider=postgresql", $"--ConnectionStrings:Jobs={target.Connection}", $"--Jobs:PostgreSql:Schema={target.Schema}"]
            : [$"--ConnectionStrings:Jobs={target.Connection}"];
        var (app, _) = ServerHost.BuildWebApp([
            "--urls=http://127.0.0.1:0", "--Jobs:Worker:Enabled=false", $"--JOB_PROCESSOR_API_KEY={Key}",
            "--Logging:LogLevel:Default=Warning", "--Jobs:Metrics:Enabled=false", .. store]);
        await app.StartAsync(ct);
        try
        {
            var root = new Uri(app.Urls.First());
            using var http = new HttpClient { BaseAddress = root };
            http.DefaultRequestHeaders.Add("x-api-key", Key);
            // 10,000 pending jobs with arguments, in ten bulk requests of 1,000.
            for (var b = 0; b < Jobs / 1000; b++)
            {
                var jobs = Enumerable.Range(0, 1000).Select(i => new
                {
                    type = "webhook",
                    payload = new { url = $"https://hooks.example.com/customers/{b * 1000 + i}", method = "POST" },
                    queue = i % 3 == 0 ? "imports" : "default",
                    priority = i % 5,
                }).ToArray();
                using var r = await http.PostAsJsonAsync("/api/jobs/bulk", new { jobs }, ct);
                if ((int)r.StatusCode != 200) throw new InvalidOperationException($"bulk enqueue answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct)}");
            }

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            context.SetDefaultTimeout(60_000);
            var dashboard = new Uri(root, "/jobs/");
            var signIn = await context.NewPageAsync();
            await signIn.GotoAsync(dashboard.ToString());
            await signIn.FillAsync("#signin-key", Key);
            await signIn.ClickAsync("#signin-form button[type=submit]");
            await signIn.Locator("#view-overview").WaitForAsync();
            await signIn.CloseAsync();

            // The browser's own floor on this machine: a new tab showing a one-line page with no script or request.
            await MeasureAsync(context, "data:text/html,<title>floor</title><p id=x>x</p>", "() => !!document.getElementById('x')", "blank_page", ct, goal: null);
            // Shown: the overview's pending count filled in; the list's rows and its total ("10,000 jobs…").
            await MeasureAsync(context, dashboard.ToString(),
                "() => { const v = document.querySelector('#view-overview'); const c = document.querySelector('#count-pending');" +
                " return v && !v.hidden && c && /[0-9]/.test(c.textContent); }", "overview", ct);
            await MeasureAsync(context, dashboard + "#/jobs/pending",
                "() => document.querySelectorAll('#list-table tbody tr').length > 0 && /[0-9]/.test(document.querySelector('#list-total').textContent)",
                "jobs_pending_list", ct);
            await context.CloseAsync();
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private async Task MeasureAsync(IBrowserContext context, string url, string shown, string name, CancellationToken ct, double? goal = 1000)
    {
        var runs = new List<(double Ms, string Slowest)>(Runs);
        for (var i = 0; i < Runs; i++)
        {
            ct.ThrowIfCancellationRequested();
            var page = await context.NewPageAsync();
            // Where the time goes: each request's own duration (request start to response end), by path.
            var requests = new List<(string Path, double Ms)>();
            page.RequestFinished += (_, r) =>
            {
                if (r.Url.StartsWith("http", StringComparison.Ordinal))
                    lock (requests) requests.Add((new Uri(r.Url).PathAndQuery, r.Timing.ResponseEnd));
            };
            var clock = Stopwatch.StartNew();
            await page.GotoAsync(url);
            await page.WaitForFunctionAsync(shown, null, new PageWaitForFunctionOptions { PollingInterval = 5 });
            var ms = clock.Elapsed.TotalMilliseconds;
            // The page's own clock: from its navigation start to the document's arrival, to DOMContentLoaded, and to now
            // (data shown); what the Stopwatch measured beyond "shown" is the browser opening the tab before navigating.
            var t = await page.EvaluateAsync<double[]>(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseEnd, n.domContentLoadedEventEnd, performance.now()]; }");
            string slowest;
            lock (requests) slowest = string.Join(", ", requests.OrderByDescending(r => r.Ms).Take(3).Select(r => $"{r.Path} {r.Ms:F0} ms"));
            runs.Add((ms, $"page clock: document {t[0]:F0} ms, DOMContentLoaded {t[1]:F0} ms, data shown {t[2]:F0} ms; slowest requests: {slowest}"));
            await page.CloseAsync();
        }
        var warm = runs.Skip(1).OrderBy(r => r.Ms).ToList();
        var median = warm[warm.Count / 2];
        report.Add("dashboard", S, $"{name}_first_render_cold", runs[0].Ms, "ms", atMost: goal,
            note: $"{Jobs:N0} jobs; a new tab, navigation start to data shown; first visit; {runs[0].Slowest}");
        report.Add("dashboard", S, $"{name}_first_render_p50", median.Ms, "ms", atMost: goal,
            note: $"{Jobs:N0} jobs; median of {warm.Count} warm visits; {median.Slowest}");
    }
}
