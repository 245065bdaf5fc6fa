using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// What counts as "failed for good" (issue 13), on both stores: the last attempt used, or a permanent error at any attempt;
/// an attempt that will be retried is not news. And settings that cannot work are refused at start, naming the setting.
/// </summary>
public sealed class FailureFeedTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_retried_attempt_is_not_notified_the_last_attempt_and_a_permanent_error_are(string provider)
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.QuietPeriod = TimeSpan.Zero; // every failure its own message
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl("/hook/ops")) };
        }, fakeTime: true);
        await h.ProcessAsync(); // starts the failure feed

        var flaky = await h.Client.EnqueueAsync(new FlakyArgs("gateway timeout"));
        var refused = await h.Client.EnqueueAsync(new RefusedArgs("card number invalid"));
        await h.ProcessAsync(); // the flaky job's first attempt fails and is retried; the refused one fails for good at once
        await h.ProcessAsync(); // sends
        Assert.Equal(JobStatus.Pending, (await h.Client.GetAsync(flaky.Id))!.Status);
        var first = Fields(Assert.Single(slack.Accepted).Body);
        Assert.Equal(["*Type*\npermanently_refused", "*Queue*\ndefault", "*Attempts*\n1", $"*Job*\n#{refused.Id}"], first);

        // Its retry is due: the second and last attempt fails, and now it is news.
        h.Time!.Advance(TimeSpan.FromHours(1));
        await h.ProcessAsync();
        await h.ProcessAsync();
        Assert.Equal(JobStatus.Failed, (await h.Client.GetAsync(flaky.Id))!.Status);
        Assert.Equal(2, slack.Accepted.Count);
        Assert.Equal(["*Type*\nfails_twice", "*Queue*\ndefault", "*Attempts*\n2", $"*Job*\n#{flaky.Id}"], Fields(slack.Accepted.Last().Body));
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_at_start_naming_each_setting_and_no_secret()
    {
        const string slackToken = "T0/B0/RefusedSettingsSecretToken";
        var services = new ServiceCollection();
        services.AddLeoraJobs().AddNotifications(o =>
        {
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri($"https://hooks.slack.com/services/{slackToken}") };
            o.Webhook["ops"] = new WebhookChannelOptions { Url = new Uri("https://hooks.example.com/leora"), Secret = "not-a-whsec-secret-value" };
            o.Email["mail"] = new EmailChannelOptions { Host = "smtp.example.com", From = "leora@example.com", Password = "hunter2-smtp-password" };
            o.FailedJobChannels.Add("nowhere");
            o.Rules["backlog"] = new AlertRuleOptions { Kind = AlertRuleKind.OldestDue, Channels = { "pager" } };
            o.Rules["ratio"] = new AlertRuleOptions { Kind = AlertRuleKind.FailureRatio, Ratio = 1.5, Channels = { "ops" } };
            o.Rules["unnamed-kind"] = new AlertRuleOptions { Channels = { "ops" } };
        });
        using var sp = services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<NotificationOptions>>().Value);
        string[] expected =
        [
            "Jobs:Notifications:Webhook:ops: the channel name 'ops' is used twice (names are unique across Slack, Email and Webhook).",
            "Jobs:Notifications:Webhook:ops:Secret must be 'whsec_' followed by base64 of 24 to 64 bytes.",
            "Jobs:Notifications:Email:mail:To needs at least one address.",
            "Jobs:Notifications:Email:mail:Password is set without Jobs:Notifications:Email:mail:User.",
            "Jobs:Notifications:FailedJobChannels names 'nowhere', which is not a configured channel.",
            "Jobs:Notifications:Rules:backlog:Channels names 'pager', which is not a configured channel.",
            "Jobs:Notifications:Rules:ratio:Ratio must be above 0 and at most 1.",
            "Jobs:Notifications:Rules:unnamed-kind:Kind must be FailureRatio, OldestDue, NoWorker or MissedSchedule.",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), refused.Failures.Order(StringComparer.Ordinal));
        foreach (var secret in new[] { "RefusedSettingsSecretToken", "not-a-whsec-secret-value", "hunter2-smtp-password" })
            Assert.DoesNotContain(secret, refused.Message, StringComparison.Ordinal);
    }

    // A failed job's Slack message: its fields (type, queue, attempts, job).
    private static List<string?> Fields(string body)
    {
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("blocks")[1].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString())];
    }
}
