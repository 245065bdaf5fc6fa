namespace Leora.Jobs.Notifications;

/// <summary>What an alert rule watches.</summary>
public enum AlertRuleKind
{
    /// <summary>The share of failed jobs of a type or queue among those finished within <see cref="AlertRuleOptions.Window"/> reaches <see cref="AlertRuleOptions.Ratio"/>.</summary>
    FailureRatio,
    /// <summary>The oldest due pending job (of a queue, or of all) has waited longer than <see cref="AlertRuleOptions.Threshold"/>.</summary>
    OldestDue,
    /// <summary>Jobs are due, but no worker node has been alive and no batch call has come for <see cref="AlertRuleOptions.Threshold"/>.</summary>
    NoWorker,
    /// <summary>A schedule's tick (of <see cref="AlertRuleOptions.Schedule"/>, or of any enabled schedule) is more than <see cref="AlertRuleOptions.Threshold"/> late.</summary>
    MissedSchedule,
}
