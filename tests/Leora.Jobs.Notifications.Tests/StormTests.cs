using System.Globalization;
using Leora.Jobs.TestSupport;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// Storm control and durable delivery, on a fake clock, on both stores: a burst of failures makes a bounded number of
/// messages that still account for every failure, and a channel that is down delays messages without losing any.
/// </summary>
public sealed class StormTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(15);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Ten_thousand_failures_in_a_minute_make_at_most_three_messages_per_channel_and_the_digest_counts_them_all(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["a"] = new SlackChannelOptions { WebhookUrl = new Uri(receiver.IpUrl("/hook/a")) };
            o.Webhook["b"] = new WebhookChannelOptions { Url = new Uri(receiver.IpUrl("/hook/b")), Secret = "whsec_" + Convert.ToBase64String(new byte[32]) };
        }, fakeTime: true);
        var time = h.Time!;
        await h.ProcessAsync(); // starts the failure feed
        var start = time.GetUtcNow();

        // 10,000 jobs of one type fail for good within one minute (written as failed rows: 2,500 every 15 s, two errors),
        // with a batch (and its evaluation) after each burst.
        for (var burst = 0; burst < 4; burst++)
        {
            time.Advance(Step);
            await InsertFailedAsync(h.Database, time.GetUtcNow(), 2500);
            await h.ProcessAsync();
        }
        Assert.True(time.GetUtcNow() - start <= TimeSpan.FromMinutes(1));
        var inTheMinute = await h.NotificationJobsAsync();
        foreach (var channel in new[] { "a", "b" })
        {
            var count = inTheMinute.Count(j => j.Payload.GetProperty("channel").GetString() == channel);
            Assert.InRange(count, 1, 3);
        }

        // The quiet period ends: the digest of the rest goes out, and every failure is counted in what was sent.
        for (var i = 0; i < 25; i++)
        {
            time.Advance(Step);
            await h.ProcessAsync();
        }
        var all = await h.NotificationJobsAsync();
        Assert.All(all, j => Assert.Equal(JobStatus.Completed, j.Status));
        foreach (var channel in new[] { "a", "b" })
        {
            var messages = all.Where(j => j.Payload.GetProperty("channel").GetString() == channel).Select(j => j.Payload.GetProperty("message")).ToList();
            Assert.InRange(messages.Count, 2, 4);
            var groups = messages.SelectMany(m => m.GetProperty("groups").EnumerateArray()).ToList();
            Assert.Equal(10_000, groups.Sum(g => g.GetProperty("count").GetInt64()));
            Assert.All(groups, g =>
            {
                Assert.Equal("charge_card", g.GetProperty("type").GetString());
                Assert.Contains(g.GetProperty("error").GetString(), new[] { "card declined", "gateway timeout" });
                Assert.InRange(g.GetProperty("exampleJobIds").GetArrayLength(), 1, 3);
            });
        }
        Assert.Equal(all.Count, receiver.Accepted.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_channel_down_for_two_minutes_gets_every_alert_after_it_comes_back(string provider)
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl("/hook/ops")) };
            o.Rules["failing"] = new AlertRuleOptions { Kind = AlertRuleKind.FailureRatio, Type = "always_fails", Ratio = 0.5, MinJobs = 1, Channels = { "ops" } };
        }, fakeTime: true);
        var time = h.Time!;
        await h.ProcessAsync();

        // Down for two minutes, during which a job fails every 30 s (each with its own error) and the rule fires.
        slack.Down = true;
        var failed = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            if (i % 2 == 0) failed.Add((await h.Client.EnqueueAsync(new FailArgs($"failure {i}"))).Id);
            await h.ProcessAsync();
            time.Advance(Step);
        }
        Assert.True(slack.DownAnswers > 0);
        Assert.Empty(slack.Accepted);

        // Back up: batches go on for ten minutes; every message arrives.
        slack.Down = false;
        for (var i = 0; i < 40; i++)
        {
            await h.ProcessAsync();
            time.Advance(Step);
        }
        await h.ProcessAsync(); // sends what the last batch's evaluation enqueued
        var jobs = await h.NotificationJobsAsync();
        Assert.All(jobs, j => Assert.Equal(JobStatus.Completed, j.Status));
        Assert.Equal(jobs.Count, slack.Accepted.Count);
        var bodies = slack.Accepted.Select(a => a.Body).ToList();
        Assert.Contains(bodies, b => b.Contains("Alert failing", StringComparison.Ordinal));
        // Every failed job is named in what arrived: alone, or among a digest's examples (one per error here).
        foreach (var id in failed)
            Assert.Contains(bodies, b => b.Contains($"#{id}", StringComparison.Ordinal));
        // The ratio window (10 minutes) has passed with no new failure: the rule cleared and "resolved" was sent.
        Assert.Contains(bodies, b => b.Contains("Resolved failing", StringComparison.Ordinal));
    }

    private static Task InsertFailedAsync(TestDatabase database, DateTimeOffset at, int count)
    {
        var ms = at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var ts = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+00";
        return database.ExecuteSqlAsync(
            $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO leora_jobs (kind, queue, status, payload, attempts, max_attempts, errors, created_at, run_at, completed_at)
            SELECT 'charge_card', 'default', 'failed', '{"{}"}', 3, 3,
                   json_array(json_object('attempt', 3, 'message', CASE WHEN i % 2 = 0 THEN 'card declined' ELSE 'gateway timeout' END)),
                   {ms}, {ms}, {ms}
            FROM n
            """,
            $"""
            INSERT INTO {"{schema}"}.jobs (kind, queue, status, payload, attempts, max_attempts, errors, created_at, run_at, completed_at)
            SELECT 'charge_card', 'default', 'failed', '{"{}"}'::jsonb, 3, 3,
                   jsonb_build_array(jsonb_build_object('attempt', 3, 'message', CASE WHEN i % 2 = 0 THEN 'card declined' ELSE 'gateway timeout' END)),
                   '{ts}', '{ts}', '{ts}'
            FROM generate_series(1, {count}) AS i
            """);
    }
}
