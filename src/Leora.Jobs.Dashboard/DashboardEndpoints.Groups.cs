using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

// The Queues and Job types pages (issue 19): per queue or type, its jobs by state, its latency (the oldest due job's age), what
// finished in the last hour, the live workers serving it, whether it is paused (the buttons call the Paused page's endpoints)
// and its limit with the usage now. Every queue or type that has jobs, a pause or a limit is listed; for types, every
// registered type too.
internal static partial class DashboardEndpoints
{
    private static Task<IResult> QueuesAsync(IJobClient client, DashboardNodes nodes, JobTypeRegistry registry, IOptions<JobsOptions> options,
        CancellationToken ct) => GroupsAsync(byType: false, client, nodes, registry, options.Value, ct);

    private static Task<IResult> JobTypesAsync(IJobClient client, DashboardNodes nodes, JobTypeRegistry registry, IOptions<JobsOptions> options,
        CancellationToken ct) => GroupsAsync(byType: true, client, nodes, registry, options.Value, ct);

    private static async Task<IResult> GroupsAsync(bool byType, IJobClient client, DashboardNodes nodes, JobTypeRegistry registry, JobsOptions options,
        CancellationToken ct)
    {
        var counts = (await client.CountByGroupAsync(byType, ct)).ToDictionary(g => g.Name, StringComparer.Ordinal);
        var stats = await client.StatsAsync(ct);
        var scope = byType ? JobPauseScope.Type : JobPauseScope.Queue;
        var limitScope = byType ? JobLimitScope.Type : JobLimitScope.Queue;
        var pauses = stats.Paused.Where(p => p.Scope == scope).ToDictionary(p => p.Name, StringComparer.Ordinal);
        var limits = stats.Limits.Where(l => l.Limit.Scope == limitScope).ToDictionary(l => l.Limit.Name, StringComparer.Ordinal);
        var live = stats.Nodes.Where(n => !n.Silent).ToList();
        var running = byType ? (await nodes.ListAsync(ct)).Nodes : [];

        var names = new SortedSet<string>(counts.Keys, StringComparer.Ordinal);
        names.UnionWith(pauses.Keys);
        names.UnionWith(limits.Keys);
        if (byType) names.UnionWith(registry.All.Select(d => d.Kind));
        else
        {
            names.Add(options.DefaultQueue);
            foreach (var n in live) names.UnionWith(n.Queues ?? []);
        }

        var rows = names.Select(name =>
        {
            var c = counts.GetValueOrDefault(name) ?? new JobGroupCounts(name, 0, 0, 0, 0, 0, 0, null);
            IReadOnlyList<string> workers = byType
                ? [.. running.Where(n => n.Running.Any(j => j.Type == name)).Select(n => n.Name)]
                : [.. live.Where(n => n.Queues is null || n.Queues.Contains(name)).Select(n => n.Name)];
            TypeConfigDto? type = null;
            if (byType && registry.TryGet(name, out var d))
                type = new TypeConfigDto(d.Options.Queue ?? options.DefaultQueue, d.Options.Priority ?? 0, d.Options.MaxAttempts ?? options.DefaultMaxAttempts,
                    d.Options.Timeout?.TotalSeconds);
            return new GroupDto(name, c.Due, c.Scheduled, c.Retrying, c.Processing, c.CompletedLastHour, c.FailedLastHour,
                c.OldestDueAge?.TotalSeconds, pauses.TryGetValue(name, out var p) ? p.PausedAt : null,
                limits.TryGetValue(name, out var l) ? LimitDto.From(l) : null, workers, type);
        }).ToList();
        return Json(new GroupsDto(byType ? "type" : "queue", rows, stats.Now));
    }
}
