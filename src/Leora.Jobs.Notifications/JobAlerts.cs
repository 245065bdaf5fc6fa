using Microsoft.Extensions.Options;

namespace Leora.Jobs.Notifications;

/// <summary>The dashboard's view of notifications (<see cref="IJobAlerts"/>): channels by name and kind, rules and their state.</summary>
internal sealed class JobAlerts(NotificationEvaluator evaluator, NotificationChannels channels, IOptions<NotificationOptions> options) : IJobAlerts
{
    public async Task<JobAlertsView> ReadAsync(CancellationToken cancellationToken)
    {
        var state = await evaluator.ReadStateAsync(cancellationToken);
        var rules = options.Value.Rules.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r =>
        {
            state.Rules.TryGetValue(r.Key, out var rs);
            return new JobAlertRule(r.Key, r.Value.Kind?.ToString() ?? "", [.. r.Value.Channels], rs?.Firing ?? false, rs?.Since, rs?.Detail);
        }).ToList();
        return new JobAlertsView([.. channels.All.Select(c => new JobAlertChannel(c.Name, c.Kind))], rules, options.Value.QuietPeriod, state.EvaluatedAt);
    }

    public async Task<long?> SendTestAsync(string channel, CancellationToken cancellationToken) =>
        (await evaluator.SendTestAsync(channel, cancellationToken))?.Id;
}
