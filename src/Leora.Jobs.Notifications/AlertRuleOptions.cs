namespace Leora.Jobs.Notifications;

/// <summary>An alert rule: what it watches, its thresholds and the channels it tells. A "resolved" message follows when it clears.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>What the rule watches. Required.</summary>
    public AlertRuleKind? Kind { get; set; }

    /// <summary>The channels told (names from Slack, Email and Webhook). At least one.</summary>
    public IList<string> Channels { get; } = [];

    /// <summary><see cref="AlertRuleKind.FailureRatio"/>: only jobs of this type. Defaults to null: any type.</summary>
    public string? Type { get; set; }

    /// <summary><see cref="AlertRuleKind.FailureRatio"/>, <see cref="AlertRuleKind.OldestDue"/>: only jobs of this queue. Defaults to null: any queue.</summary>
    public string? Queue { get; set; }

    /// <summary><see cref="AlertRuleKind.FailureRatio"/>: the window of finished jobs looked at. Defaults to 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><see cref="AlertRuleKind.FailureRatio"/>: the share of failures (0 to 1) that fires the rule. Defaults to 0.5.</summary>
    public double Ratio { get; set; } = 0.5;

    /// <summary><see cref="AlertRuleKind.FailureRatio"/>: fewer finished jobs than this in the window never fire it. Defaults to 10.</summary>
    public int MinJobs { get; set; } = 10;

    /// <summary>
    /// <see cref="AlertRuleKind.OldestDue"/>, <see cref="AlertRuleKind.NoWorker"/>, <see cref="AlertRuleKind.MissedSchedule"/>:
    /// how long is too long. Defaults to 10 minutes.
    /// </summary>
    public TimeSpan Threshold { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><see cref="AlertRuleKind.MissedSchedule"/>: only this schedule. Defaults to null: every enabled schedule.</summary>
    public string? Schedule { get; set; }
}
