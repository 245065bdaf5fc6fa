using System.Text.Json;
using Leora.Jobs.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace Leora.Jobs.Notifications.Tests;

/// <summary>
/// The OldestDue, NoWorker and MissedSchedule rules, each on both stores and a fake clock, each through a different kind of
/// channel on a real server on 127.0.0.1: the rule stays quiet below its threshold, fires above it, its message reaches
/// its channel (and no other), and "resolved" follows when it clears, after the quiet period. (FailureRatio's are in
/// <see cref="StormTests"/>.)
/// </summary>
public sealed class RuleTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task OldestDue_fires_when_a_due_job_of_its_queue_waits_past_the_threshold_and_resolves_once_it_runs(string provider)
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl("/hook/ops")) };
            o.Slack["elsewhere"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl("/hook/elsewhere")) };
            o.Rules["backlog"] = new AlertRuleOptions { Kind = AlertRuleKind.OldestDue, Queue = "reports", Threshold = 5 * Minute, Channels = { "ops" } };
        }, fakeTime: true);
        var time = h.Time!;
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        await h.ProcessAsync();

        // Paused queues hold due jobs back while batches run. A job of another queue waiting ten minutes is not this rule's.
        await pauses.PauseAsync(JobPauseScope.Queue, "reports");
        await pauses.PauseAsync(JobPauseScope.Queue, "other");
        await h.Client.EnqueueAsync(new SucceedArgs(), new EnqueueOptions { Queue = "other" });
        time.Advance(10 * Minute);
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("backlog"));

        // One of its queue: under the threshold nothing, over it the alert, sent by the next batch.
        await h.Client.EnqueueAsync(new SucceedArgs(), new EnqueueOptions { Queue = "reports" });
        time.Advance(4 * Minute);
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("backlog"));
        time.Advance(2 * Minute);
        await h.ProcessAsync();
        Assert.True(await h.FiringAsync("backlog"));
        await h.ProcessAsync();
        var alert = Assert.Single(slack.Accepted);
        Assert.Equal("/hook/ops", alert.Path);
        Assert.Equal("Alert backlog: the oldest due job in queue reports has waited 6 min (threshold 5 min)", SlackText(alert.Body));

        // Resumed, the job runs and the rule clears; "resolved" waits out the quiet period (5 minutes) since the alert.
        await pauses.ResumeAsync(JobPauseScope.Queue, "reports");
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("backlog"));
        await h.ProcessAsync();
        Assert.Single(slack.Accepted);
        time.Advance(5 * Minute);
        await h.ProcessAsync();
        await h.ProcessAsync();
        Assert.Equal(["/hook/ops", "/hook/ops"], slack.Accepted.Select(a => a.Path));
        Assert.Equal("Resolved backlog: no due job waits in queue reports", SlackText(slack.Accepted.Last().Body));
        Assert.All(await h.NotificationJobsAsync(), j => Assert.Equal(JobStatus.Completed, j.Status));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task NoWorker_fires_when_jobs_are_due_and_neither_a_worker_nor_a_batch_call_was_seen_and_resolves_at_the_next_batch(string provider)
    {
        var secret = "whsec_" + Convert.ToBase64String("a-signing-key-of-32-bytes-long!!"u8.ToArray());
        var verifier = new StandardWebhook(secret);
        await using var receiver = await WebhookReceiver.StartAsync();
        // The signature checked with the library's own signing (its Verify also wants the timestamp near the real clock,
        // and this test's clock is a fake one).
        receiver.Check = (body, headers) =>
            long.TryParse(headers["webhook-timestamp"], out var seconds)
            && headers["webhook-signature"].ToString() == verifier.Sign(headers["webhook-id"].ToString(), DateTimeOffset.FromUnixTimeSeconds(seconds), body);
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Webhook["pager"] = new WebhookChannelOptions { Url = new Uri(receiver.IpUrl("/hook/pager")), Secret = secret };
            o.Rules["silent"] = new AlertRuleOptions { Kind = AlertRuleKind.NoWorker, Threshold = 5 * Minute, Channels = { "pager" } };
        }, fakeTime: true);
        var time = h.Time!;
        var pauses = h.Services.GetRequiredService<IJobPauses>();
        // This host runs no worker and nothing heartbeats as a node: batch calls are the only sign of life.
        Assert.Empty(await h.Client.NodesAsync());
        await h.ProcessAsync();

        // A paused type keeps a job due across batches. Due six minutes, but a batch came just now: no alert.
        await pauses.PauseAsync(JobPauseScope.Type, SucceedArgs.Kind);
        await h.Client.EnqueueAsync(new SucceedArgs());
        time.Advance(6 * Minute);
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("silent"));

        // Then the batches stop. The leader's passes: four minutes of silence is under the threshold, six is over it; this
        // host runs no worker, so the leader delivers the alert itself while nothing else runs jobs.
        time.Advance(4 * Minute);
        await h.EvaluateAsLeaderAsync();
        Assert.False(await h.FiringAsync("silent"));
        Assert.Empty(receiver.Accepted);
        time.Advance(2 * Minute);
        Assert.Equal(1, await h.EvaluateAsLeaderAsync());
        Assert.True(await h.FiringAsync("silent"));
        Assert.Equal(0, receiver.Refusals);
        Assert.Single(receiver.Accepted);
        Assert.Equal(JobStatus.Pending, (await h.Client.ListAsync(new JobQuery { Type = SucceedArgs.Kind })).Items.Single().Status);

        // The batches come back: the first is a sign of life and clears the rule; "resolved" follows once the quiet period
        // since the alert has passed.
        await pauses.ResumeAsync(JobPauseScope.Type, SucceedArgs.Kind);
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("silent"));
        Assert.Single(receiver.Accepted);
        time.Advance(5 * Minute);
        await h.ProcessAsync();
        await h.ProcessAsync();

        Assert.Equal(0, receiver.Refusals);
        var events = receiver.Accepted.Select(a => (a.Path, Event: JsonDocument.Parse(a.Body).RootElement)).ToList();
        Assert.Equal(["/hook/pager", "/hook/pager"], events.Select(e => e.Path));
        Assert.Equal(["alert.firing", "alert.resolved"], events.Select(e => e.Event.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal("silent", e.Event.GetProperty("data").GetProperty("rule").GetString()));
        Assert.Equal("Alert silent: jobs have been due for 12 min and no worker or batch call has been seen for 6 min",
            events[0].Event.GetProperty("data").GetProperty("title").GetString());
        Assert.Equal("Resolved silent: no job is due", events[1].Event.GetProperty("data").GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task MissedSchedule_fires_when_an_enabled_schedule_is_late_past_the_threshold_and_resolves_once_its_ticks_are_enqueued(string provider)
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.Email["oncall"] = new EmailChannelOptions
            {
                Host = "127.0.0.1",
                Port = smtp.Port,
                Security = SmtpSecurity.None,
                From = "leora@example.com",
                To = { "ops@example.com" },
            };
            o.Rules["ticks"] = new AlertRuleOptions { Kind = AlertRuleKind.MissedSchedule, Threshold = 5 * Minute, Channels = { "oncall" } };
        }, fakeTime: true);
        var time = h.Time!;
        var schedules = h.Services.GetRequiredService<IJobSchedules>();
        // Every minute from 12:00: the next tick is 12:01. A disabled schedule, as late, is not watched.
        await schedules.CreateAsync(new JobSchedule { Name = "every-minute", Cron = "* * * * *", Type = SucceedArgs.Kind });
        await schedules.CreateAsync(new JobSchedule { Name = "switched-off", Cron = "* * * * *", Type = SucceedArgs.Kind });
        await schedules.SetEnabledAsync("switched-off", false);
        await h.EvaluateAsLeaderAsync();

        // Nothing enqueues ticks (no leader's scheduler, no batch): late by 2 minutes is under the threshold, by 6 over it.
        time.Advance(3 * Minute);
        await h.EvaluateAsLeaderAsync();
        Assert.False(await h.FiringAsync("ticks"));
        time.Advance(4 * Minute);
        Assert.Equal(1, await h.EvaluateAsLeaderAsync());
        Assert.True(await h.FiringAsync("ticks"));

        // A batch enqueues the due ticks first (and sends the alert): the schedule is on time again; "resolved" follows
        // after the quiet period.
        await h.ProcessAsync();
        Assert.False(await h.FiringAsync("ticks"));
        time.Advance(5 * Minute);
        await h.ProcessAsync();
        await h.ProcessAsync();

        var mail = await Eventually.WaitAsync(() => Task.FromResult(smtp.Messages()), m => m.Count >= 2, TimeSpan.FromSeconds(30), "two mails in the Maildir");
        var bySubject = mail.OrderBy(m => m.Subject, StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["Alert ticks: schedule every-minute missed a tick by more than 5 min", "Resolved ticks: every schedule ran on time"],
            bySubject.Select(m => m.Subject));
        Assert.All(mail, m => Assert.Equal("ops@example.com", Assert.Single(m.To.Mailboxes).Address));
        Assert.Contains("Rule 'ticks' (MissedSchedule) fires since", bySubject[0].TextBody, StringComparison.Ordinal);
        Assert.Equal(2, (await h.NotificationJobsAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_notification_waiting_to_be_sent_is_not_a_backlog_for_OldestDue_or_NoWorker(string provider)
    {
        await using var slack = await WebhookReceiver.StartAsync();
        await using var h = await NotificationHarness.CreateAsync(provider, o =>
        {
            o.AllowedHosts.Add("127.0.0.1");
            o.Slack["ops"] = new SlackChannelOptions { WebhookUrl = new Uri(slack.IpUrl("/hook/ops")) };
            o.Rules["backlog"] = new AlertRuleOptions { Kind = AlertRuleKind.OldestDue, Threshold = 5 * Minute, Channels = { "ops" } };
            o.Rules["silent"] = new AlertRuleOptions { Kind = AlertRuleKind.NoWorker, Threshold = 5 * Minute, Channels = { "ops" } };
        }, fakeTime: true);
        await h.EvaluateAsLeaderAsync();

        // A message held back (its type paused) for ten minutes, and no sign of life: it is the only due job.
        await h.Services.GetRequiredService<IJobPauses>().PauseAsync(JobPauseScope.Type, NotificationArgs.Kind);
        Assert.NotNull(await h.Evaluator.SendTestAsync("ops", CancellationToken.None));
        h.Time!.Advance(10 * Minute);
        Assert.Equal(0, await h.EvaluateAsLeaderAsync());
        Assert.False(await h.FiringAsync("backlog"));
        Assert.False(await h.FiringAsync("silent"));
        Assert.Single(await h.NotificationJobsAsync());
    }

    // The Slack message's fallback text (the title).
    private static string? SlackText(string body) => JsonDocument.Parse(body).RootElement.GetProperty("text").GetString();
}
