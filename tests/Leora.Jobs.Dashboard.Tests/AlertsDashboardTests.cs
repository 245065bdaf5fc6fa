using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Leora.Jobs.Notifications;
using Leora.Jobs.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Leora.Jobs.Dashboard.Tests;

/// <summary>
/// The Alerts page in headless Chromium (issue 13): the rules with their state, the channels (names and kinds, never their
/// URLs), the recent messages (the notification jobs) and, for a full key, "send a test message" per channel, which reaches
/// a real receiver on 127.0.0.1; none for a read-only key; WCAG 2.2 AA by axe-core. Draws docs/images/dashboard-alerts.png.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AlertsDashboardTests(BrowserFixture browser)
{
    private static readonly List<string> WcagAa = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    private const string SlackSecret = "T0DOCS/B0DOCS/AlertsPageSecretToken";

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = WcagAa } });
        Assert.True(result.Violations.Length == 0, $"{what}: " + string.Join(Environment.NewLine,
            result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at " + string.Join(", ", v.Nodes.Select(n => n.Target?.ToString())))));
        Assert.NotEmpty(result.Passes);
    }

    private static Task<DashboardHost> StartAsync(WebhookReceiver receiver) => DashboardHost.StartAsync(configureBuilder: (WebApplicationBuilder b) =>
        b.Services.AddLeoraJobs().AddNotifications(o =>
        {
            o.AllowedHosts.Add("localhost");
            o.PublicBaseUrl = new Uri("https://jobs.example.com/jobs/");
            o.Slack["ops-slack"] = new SlackChannelOptions { WebhookUrl = new Uri(receiver.Url($"/ok?tag=slack&s={SlackSecret}")) };
            o.Webhook["pagerduty-bridge"] = new WebhookChannelOptions { Url = new Uri(receiver.Url("/ok?tag=hook")), Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" };
            o.FailedJobChannels.Add("ops-slack");
            o.Rules["payments-failing"] = new AlertRuleOptions { Kind = AlertRuleKind.FailureRatio, Type = "flaky", Ratio = 0.5, MinJobs = 1, Channels = { "ops-slack" } };
            o.Rules["backlog"] = new AlertRuleOptions { Kind = AlertRuleKind.OldestDue, Threshold = TimeSpan.FromMinutes(5), Channels = { "ops-slack", "pagerduty-bridge" } };
        }));

    [Fact]
    public async Task The_alerts_page_shows_rules_channels_and_messages_and_a_full_key_sends_a_test_message()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(receiver);
        var batch = new BatchOptions { MaxJobs = 100 };
        await host.Processor.ProcessBatchAsync(batch); // the first evaluation starts the failure feed
        await host.Client.EnqueueAsync(new FlakyArgs("payment gateway timed out"));
        await host.Processor.ProcessBatchAsync(batch); // it fails for good; the evaluation enqueues the failure and the alert
        await host.Processor.ProcessBatchAsync(batch); // they are sent

        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.FullKey);
        await DashboardPage.GoAsync(page, host, "#/alerts");

        var rules = page.Locator("#alert-rules tbody tr");
        await Expect(rules).ToHaveCountAsync(2);
        await Expect(rules.Filter(new() { HasText = "payments-failing" }).Locator(".status")).ToHaveTextAsync("firing");
        await Expect(rules.Filter(new() { HasText = "backlog" }).Locator(".status")).ToHaveTextAsync("ok");
        var channels = page.Locator("#alert-channels tbody tr");
        await Expect(channels).ToHaveCountAsync(2);
        await Expect(page.Locator("#view-alerts")).Not.ToContainTextAsync("AlertsPageSecretToken");
        await Expect(page.Locator("#view-alerts")).Not.ToContainTextAsync("whsec_");
        var messages = page.Locator("#alert-messages tbody tr");
        await Expect(messages).ToHaveCountAsync(2);
        await Expect(messages.Filter(new() { HasText = "(flaky) failed: boom: payment gateway timed out" }).Locator(".status")).ToHaveTextAsync("completed");
        await Expect(messages.Filter(new() { HasText = "Alert payments-failing" })).ToHaveCountAsync(1);
        await AssertNoViolationsAsync(page, "alerts");

        await page.ClickAsync("button[aria-label='Send a test message: pagerduty-bridge']");
        await Expect(page.Locator("#alerts-result")).ToContainTextAsync("Test message enqueued on pagerduty-bridge as job #");
        await Expect(messages).ToHaveCountAsync(3);
        await host.Processor.ProcessBatchAsync(batch);
        var test = Assert.Single(receiver.For("hook"));
        Assert.Contains("notification.test", test.Body, StringComparison.Ordinal);
        Assert.True(test.Headers.ContainsKey("webhook-signature"));
        await Expect(messages.Filter(new() { HasText = "test message on channel 'pagerduty-bridge'" }).Locator(".status")).ToHaveTextAsync("completed");
        await AssertNoViolationsAsync(page, "alerts after a test message");
        await Screenshots.SaveAsync(page, "alerts");
    }

    [Fact]
    public async Task A_read_only_key_sees_the_alerts_without_buttons_and_cannot_send()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(receiver);
        var (context, page, _) = await browser.NewPageAsync();
        await using var __ = context;
        await DashboardPage.SignInAsync(page, host, host.ReadOnlyKey);
        await DashboardPage.GoAsync(page, host, "#/alerts");
        await Expect(page.Locator("#alert-channels tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#alert-channels tbody button")).ToHaveCountAsync(0);
        await AssertNoViolationsAsync(page, "alerts, read-only");

        var status = await page.EvaluateAsync<int>("""
            async () => {
              const s = await (await fetch('api/session')).json();
              const r = await fetch('api/alerts/channels/ops-slack/test', { method: 'POST', headers: { [s.csrfHeader]: s.csrfToken } });
              return r.status;
            }
            """);
        Assert.Equal(403, status);
        var page2 = await host.Client.ListAsync(new JobQuery { Type = "leora.notification" });
        Assert.Empty(page2.Items);
    }
}
