using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The nodes panel's data: the nodes registered in the nodes table (<see cref="IJobClient.NodesAsync"/>, every
/// long-running worker heartbeats there), what each holds a lease on now (the processing jobs, grouped by worker),
/// workers that run jobs without registering (batch calls on serverless hosts), and this process.
/// </summary>
internal sealed class DashboardNodes(
    IJobClient client,
    JobNodeState here,
    IOptions<JobWorkerOptions> worker)
{
    // A bound on what one refresh reads; a deployment running more jobs at once than this sees the first ones.
    private const int MaxRunning = 1000;

    /// <summary>The nodes known now, this process first, then by name.</summary>
    public async Task<NodesDto> ListAsync(CancellationToken cancellationToken)
    {
        var registered = await client.NodesAsync(cancellationToken);
        var page = await client.ListAsync(new JobQuery { Status = JobStatus.Processing, Limit = MaxRunning, NewestFirst = false }, cancellationToken);
        var running = page.Items
            .GroupBy(j => j.Worker ?? "(unknown)", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<NodeRunningJobDto>)[.. g.Select(NodeRunningJobDto.From)], StringComparer.Ordinal);
        IReadOnlyList<NodeRunningJobDto> RunningOn(string name) => running.TryGetValue(name, out var r) ? r : [];

        var self = here.NodeName;
        // Silent by this process's clock, as NodesAsync judges.
        var nodes = registered.Select(n => NodeDto.From(n, n.Name == self, RunningOn(n.Name))).ToList();
        if (!nodes.Any(n => n.ThisProcess))
            nodes.Add(NodeDto.Unregistered(self, thisProcess: true, here.HasWorker, here.HasWorker ? worker.Value.TotalConcurrency : null, RunningOn(self)));
        foreach (var (name, jobsRunning) in running.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (nodes.Any(n => n.Name == name)) continue;
            nodes.Add(NodeDto.Unregistered(name, thisProcess: false, working: true, concurrency: null, jobsRunning));
        }
        return new NodesDto([.. nodes.OrderByDescending(n => n.ThisProcess).ThenBy(n => n.Name, StringComparer.Ordinal)]);
    }
}
