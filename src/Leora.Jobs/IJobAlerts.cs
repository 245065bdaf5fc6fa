namespace Leora.Jobs;

/// <summary>
/// What the dashboard's Alerts page reads and does, implemented by Leora.Jobs.Notifications when it is added: an internal
/// seam, so that neither of the two assemblies references the other (the dashboard package does not bring in MailKit). No
/// member carries a secret: channels are names and kinds.
/// </summary>
internal interface IJobAlerts
{
    /// <summary>The channels, the rules with their state, the quiet period and the last evaluation.</summary>
    Task<JobAlertsView> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Enqueues a test message on a channel; its job's id, or null when no channel has that name.</summary>
    Task<long?> SendTestAsync(string channel, CancellationToken cancellationToken);
}

/// <summary>The Alerts page's data.</summary>
internal sealed record JobAlertsView(
    IReadOnlyList<JobAlertChannel> Channels,
    IReadOnlyList<JobAlertRule> Rules,
    TimeSpan QuietPeriod,
    DateTimeOffset? EvaluatedAt);

/// <summary>A channel: its name and kind (<c>slack</c>, <c>email</c>, <c>webhook</c>).</summary>
internal sealed record JobAlertChannel(string Name, string Kind);

/// <summary>A rule with its state (<see cref="Since"/>: since when it fires or is clear; null before its first evaluation).</summary>
internal sealed record JobAlertRule(string Name, string Kind, IReadOnlyList<string> Channels, bool Firing, DateTimeOffset? Since, string? Detail);
