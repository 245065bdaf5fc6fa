using System.Globalization;
using System.Text;
using System.Text.Json;
using Leora.Jobs.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications;

/// <summary>
/// One evaluation of notifications: reads the jobs that failed for good since the last one (the failure feed), checks every
/// alert rule, and enqueues a <c>leora.notification</c> job per message, under storm control: per source (failed jobs, or a
/// rule) and channel at most one message per <see cref="NotificationOptions.QuietPeriod"/>; failures meanwhile wait in a
/// digest (grouped by type and error, with counts and up to three job ids), a rule's latest state waits to be told. The
/// state, the reads and the enqueues are one transaction under the notifier's lock, so evaluations by the leader, by batch
/// calls and by other processes run one after the other, and a crash loses nothing nor sends anything twice. Run by the
/// maintenance leader (<see cref="NotificationMonitor"/>) and by every batch (<see cref="NotifyingJobProcessor"/>).
/// </summary>
internal sealed class NotificationEvaluator(
    IJobClient client,
    IJobStore store,
    IJobSchedules schedules,
    JobNodeState node,
    NotificationChannels channels,
    IOptions<NotificationOptions> options,
    ILogger<NotificationEvaluator> logger)
{
    private const int FeedPage = 1000;
    // A burst beyond this many failures in one evaluation is read by the next ones (the cursor keeps its place).
    private const int FeedMax = 20_000;
    private const int MaxGroups = 50;
    private const int MaxExamples = 3;
    private const int MaxError = 300;
    private const string FailedSource = "failed";

    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web);
    private readonly NotificationOptions _options = options.Value;
    private readonly NotificationSql _sql = NotificationSql.For(store);

    /// <summary>Evaluates once. <paramref name="batch"/>: called by a batch, which counts as a sign of life. Returns how many messages were enqueued.</summary>
    public async Task<int> EvaluateAsync(bool batch, CancellationToken cancellationToken)
    {
        if (!_options.Enabled || channels.All.Count == 0) return 0;
        var rules = _options.Rules.ToList();
        // Read outside the transaction (their own connections): live nodes and schedules for the rules that need them.
        var nodes = rules.Any(r => r.Value.Kind == AlertRuleKind.NoWorker) ? await client.NodesAsync(cancellationToken) : [];
        var scheduleList = rules.Any(r => r.Value.Kind == AlertRuleKind.MissedSchedule) ? await schedules.ListAsync(cancellationToken) : [];
        var now = await store.NowAsync(cancellationToken);

        await using var connection = await client.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var state = JsonSerializer.Deserialize<NotifierState>(await _sql.LockStateAsync(tx, now, cancellationToken), StateJson) ?? new NotifierState();
        var messages = new List<NotificationArgs>();

        await ReadFailuresAsync(tx, state, now, cancellationToken);
        FlushFailures(state, now, messages);
        foreach (var (name, rule) in rules)
        {
            var (firing, detail) = await CheckAsync(tx, rule, state, nodes, scheduleList, now, batch, cancellationToken);
            Transition(name, rule, firing, detail, state, now, messages);
        }
        foreach (var gone in state.Rules.Keys.Where(r => !_options.Rules.ContainsKey(r)).ToList())
        {
            state.Rules.Remove(gone);
            foreach (var key in state.Outboxes.Keys.Where(k => k.StartsWith($"rule:{gone}|", StringComparison.Ordinal)).ToList()) state.Outboxes.Remove(key);
        }
        if (batch) state.LastBatchAt = now;
        state.EvaluatedAt = now;

        foreach (var message in messages)
            await client.EnqueueAsync(message, tx, cancellationToken: cancellationToken);
        await _sql.SaveStateAsync(tx, JsonSerializer.Serialize(state, StateJson), now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (messages.Count > 0) Log.NotificationsEnqueued(logger, messages.Count);
        return messages.Count;
    }

    /// <summary>Enqueues a test message on <paramref name="channel"/>; returns its job, or null for an unknown channel.</summary>
    public async Task<EnqueueResult?> SendTestAsync(string channel, CancellationToken cancellationToken)
    {
        if (!channels.Exists(channel)) return null;
        var now = await store.NowAsync(cancellationToken);
        var message = new NotificationMessage
        {
            Event = "test",
            Title = $"Leora Jobs: test message on channel '{channel}'",
            Text = $"This is a test message from Leora Jobs ({node.NodeName}). If you can read it, channel '{channel}' works.",
            At = now,
        };
        return await client.EnqueueAsync(new NotificationArgs(channel, message), cancellationToken: cancellationToken);
    }

    /// <summary>The stored state (rules, outboxes), read without the lock, for the dashboard.</summary>
    public async Task<NotifierState> ReadStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await client.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var now = await store.NowAsync(cancellationToken);
        var state = JsonSerializer.Deserialize<NotifierState>(await _sql.LockStateAsync(tx, now, cancellationToken), StateJson) ?? new NotifierState();
        await tx.CommitAsync(cancellationToken);
        return state;
    }

    private IReadOnlyList<string> FailureChannels =>
        !_options.FailedJobs ? [] : _options.FailedJobChannels.Count > 0 ? [.. _options.FailedJobChannels] : [.. channels.All.Select(c => c.Name)];

    private async Task ReadFailuresAsync(System.Data.Common.DbTransaction tx, NotifierState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state.CursorAt is not { } at)
        {
            // The first evaluation starts the feed now: failures from before notifications were switched on are not news.
            // Those of this very instant are taken (id 0), so that none that ends as the feed starts is lost.
            state.CursorAt = now;
            state.CursorId = 0;
            return;
        }
        var targets = FailureChannels;
        var id = state.CursorId;
        for (var read = 0; read < FeedMax;)
        {
            var rows = await _sql.FailedSinceAsync(tx, at, id, now, FeedPage, cancellationToken);
            foreach (var row in rows)
            {
                var job = new NotifiedJob(row.Id, row.Kind, row.Queue, row.Attempts, LastError(row.Errors));
                foreach (var channel in targets) Add(Outbox(state, FailedSource, channel), job);
            }
            read += rows.Count;
            if (rows.Count > 0) (at, id) = (rows[^1].CompletedAt, rows[^1].Id);
            if (rows.Count < FeedPage) break;
        }
        (state.CursorAt, state.CursorId) = (at, id);
    }

    private static void Add(OutboxState outbox, NotifiedJob job)
    {
        if (outbox.Waiting == 0) outbox.First = job;
        outbox.Waiting++;
        var group = outbox.Digest.Find(g => g.Type == job.Type && g.Error == job.Error);
        if (group is null)
        {
            // Beyond MaxGroups, further kinds of failure are counted under one group, so the state stays small in any storm.
            group = outbox.Digest.Count < MaxGroups
                ? new DigestGroup { Type = job.Type, Error = job.Error }
                : outbox.Digest.Find(g => g.Type == "*") ?? new DigestGroup { Type = "*", Error = "(other types and errors)" };
            if (!outbox.Digest.Contains(group)) outbox.Digest.Add(group);
        }
        group.Count++;
        if (group.Examples.Count < MaxExamples) group.Examples.Add(job.Id);
    }

    private void FlushFailures(NotifierState state, DateTimeOffset now, List<NotificationArgs> messages)
    {
        foreach (var channel in FailureChannels)
        {
            var outbox = Outbox(state, FailedSource, channel);
            if (outbox.Waiting == 0 || !QuietOver(outbox, now)) continue;
            messages.Add(new NotificationArgs(channel, outbox.Waiting == 1 && outbox.First is { } job ? Failed(job, now) : Digest(outbox, now)));
            outbox.LastSentAt = now;
            outbox.First = null;
            outbox.Digest.Clear();
            outbox.Waiting = 0;
        }
        foreach (var key in state.Outboxes.Keys.Where(k => k.StartsWith(FailedSource + "|", StringComparison.Ordinal) && !FailureChannels.Contains(k[(FailedSource.Length + 1)..])).ToList())
            state.Outboxes.Remove(key);
    }

    private void Transition(string name, AlertRuleOptions rule, bool firing, string detail, NotifierState state, DateTimeOffset now, List<NotificationArgs> messages)
    {
        if (!state.Rules.TryGetValue(name, out var rs)) state.Rules[name] = rs = new RuleState { Since = now };
        if (rs.Firing != firing)
        {
            rs.Firing = firing;
            rs.Since = now;
        }
        rs.Detail = detail;
        var wanted = firing ? "alert" : "resolved";
        foreach (var channel in rule.Channels)
        {
            var outbox = Outbox(state, $"rule:{name}", channel);
            // A channel never told of an alert needs no "resolved"; one already told the current state needs nothing.
            if (outbox.LastSentState == wanted || (outbox.LastSentState is null && !firing) || !QuietOver(outbox, now)) continue;
            messages.Add(new NotificationArgs(channel, new NotificationMessage
            {
                Event = wanted,
                Rule = name,
                Title = firing ? $"Alert {name}: {detail}" : $"Resolved {name}: {detail}",
                Text = $"Rule '{name}' ({rule.Kind}) {(firing ? "fires" : "has cleared")} since {Time(rs.Since ?? now)}.\n{detail}",
                At = now,
            }));
            outbox.LastSentState = wanted;
            outbox.LastSentAt = now;
        }
    }

    private async Task<(bool Firing, string Detail)> CheckAsync(System.Data.Common.DbTransaction tx, AlertRuleOptions rule, NotifierState state,
        IReadOnlyList<JobNode> nodes, IReadOnlyList<JobScheduleInfo> scheduleList, DateTimeOffset now, bool batch, CancellationToken cancellationToken)
    {
        switch (rule.Kind)
        {
            case AlertRuleKind.FailureRatio:
            {
                var (failed, finished) = await _sql.FailureCountsAsync(tx, now - rule.Window, rule.Type, rule.Queue, cancellationToken);
                var ratio = finished == 0 ? 0 : (double)failed / finished;
                var what = (rule.Type is null ? "" : $" of type {rule.Type}") + (rule.Queue is null ? "" : $" in queue {rule.Queue}");
                return (finished >= rule.MinJobs && ratio >= rule.Ratio,
                    $"{failed} of {finished} jobs{what} failed in the last {Duration(rule.Window)} ({ratio.ToString("P0", CultureInfo.InvariantCulture)}; threshold {rule.Ratio.ToString("P0", CultureInfo.InvariantCulture)})");
            }
            case AlertRuleKind.OldestDue:
            {
                var oldest = await _sql.OldestDueAsync(tx, now, rule.Queue, cancellationToken);
                var age = oldest is { } o ? now - o : TimeSpan.Zero;
                var where = rule.Queue is null ? "" : $" in queue {rule.Queue}";
                return (age > rule.Threshold, oldest is null
                    ? $"no due job waits{where}"
                    : $"the oldest due job{where} has waited {Duration(age)} (threshold {Duration(rule.Threshold)})");
            }
            case AlertRuleKind.NoWorker:
            {
                var oldest = await _sql.OldestDueAsync(tx, now, null, cancellationToken);
                // Signs of life: a worker in this process, a live worker node's heartbeat, a batch call (this one included).
                var lastLife = new[] { node.HasWorker || batch ? now : (DateTimeOffset?)null, state.LastBatchAt }
                    .Concat(nodes.Select(n => (DateTimeOffset?)n.HeartbeatAt)).Max();
                var silentFor = lastLife is { } l ? now - l : TimeSpan.MaxValue;
                var dueFor = oldest is { } o ? now - o : TimeSpan.Zero;
                var firing = oldest is not null && silentFor > rule.Threshold && dueFor > rule.Threshold;
                return (firing, oldest is null ? "no job is due"
                    : firing ? $"jobs have been due for {Duration(dueFor)} and no worker or batch call has been seen for {(lastLife is null ? "ever" : Duration(silentFor))}"
                    : "jobs are due and a worker or batch call is alive");
            }
            case AlertRuleKind.MissedSchedule:
            {
                var late = scheduleList
                    .Where(s => s.Schedule.Enabled && (rule.Schedule is null || s.Schedule.Name == rule.Schedule))
                    .Where(s => s.NextRunAt is { } next && now - next > rule.Threshold)
                    .Select(s => s.Schedule.Name).Order(StringComparer.Ordinal).ToList();
                return (late.Count > 0, late.Count == 0
                    ? "every schedule ran on time"
                    : $"schedule{(late.Count == 1 ? "" : "s")} {string.Join(", ", late)} missed a tick by more than {Duration(rule.Threshold)}");
            }
            default:
                return (false, "unknown rule kind");
        }
    }

    private bool QuietOver(OutboxState outbox, DateTimeOffset now) =>
        outbox.LastSentAt is not { } last || now - last >= _options.QuietPeriod;

    private static OutboxState Outbox(NotifierState state, string source, string channel)
    {
        var key = $"{source}|{channel}";
        if (!state.Outboxes.TryGetValue(key, out var outbox)) state.Outboxes[key] = outbox = new OutboxState();
        return outbox;
    }

    private static NotificationMessage Failed(NotifiedJob job, DateTimeOffset now) => new()
    {
        Event = "failed",
        Title = $"Job #{job.Id} ({job.Type}) failed: {Cut(job.Error, 100)}",
        Text = $"Job #{job.Id} of type {job.Type} in queue {job.Queue} failed for good after {job.Attempts} attempt{(job.Attempts == 1 ? "" : "s")}.\nError: {job.Error}",
        At = now,
        Job = job,
    };

    private static NotificationMessage Digest(OutboxState outbox, DateTimeOffset now)
    {
        var groups = outbox.Digest.OrderByDescending(g => g.Count).ThenBy(g => g.Type, StringComparer.Ordinal)
            .Select(g => new FailureGroup(g.Type, g.Error, g.Count, [.. g.Examples])).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{outbox.Waiting} jobs failed for good since the last message:");
        foreach (var g in groups)
            text.Append(CultureInfo.InvariantCulture, $"\n{g.Count} × {g.Type}: {g.Error} (e.g. #{string.Join(", #", g.ExampleJobIds)})");
        return new NotificationMessage
        {
            Event = "digest",
            Title = $"{outbox.Waiting} jobs failed for good ({string.Join(", ", groups.Select(g => g.Type).Distinct().Take(3))}{(groups.Select(g => g.Type).Distinct().Count() > 3 ? ", …" : "")})",
            Text = text.ToString(),
            At = now,
            Groups = groups,
        };
    }

    private static string LastError(string errors)
    {
        try
        {
            using var document = JsonDocument.Parse(errors);
            if (document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
                && document.RootElement[document.RootElement.GetArrayLength() - 1].TryGetProperty("message", out var message)
                && message.GetString() is { } text)
                return Cut(text, MaxError);
        }
        catch (JsonException)
        {
            // A row written by hand or by another tool: the error is then unknown, the failure is still told.
        }
        return "(no error recorded)";
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0} s";
}
