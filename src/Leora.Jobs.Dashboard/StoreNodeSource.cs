using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The default <see cref="IJobNodeSource"/>: the nodes registered in the store's nodes table (every long-running
/// worker heartbeats there), what each holds a lease on now (the processing jobs, grouped by worker), workers that
/// run jobs without registering (batch calls on serverless hosts), and this process.
/// </summary>
internal sealed class StoreNodeSource(
    IJobClient client,
    JobNodeState here,
    IOptions<JobWorkerOptions> worker) : IJobNodeSource
{
    // A bound on what one refresh reads; a deployment running more jobs at once than this sees the first ones.
    private const int MaxRunning = 1000;

    public async Task<IReadOnlyList<JobNodeInfo>> ListNodesAsync(CancellationToken cancellationToken)
    {
        var registered = await client.NodesAsync(cancellationToken);
        var page = await client.ListAsync(new JobQuery { Status = JobStatus.Processing, Limit = MaxRunning, NewestFirst = false }, cancellationToken);
        var running = page.Items
            .GroupBy(j => j.Worker ?? "(unknown)", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<JobNodeRunningJob>)[.. g.Select(j => new JobNodeRunningJob(j.Id, j.Type, j.Queue, j.Progress, j.StartedAt))], StringComparer.Ordinal);
        IReadOnlyList<JobNodeRunningJob> RunningOn(string name) => running.TryGetValue(name, out var r) ? r : [];

        var self = here.NodeName;

        var nodes = new List<JobNodeInfo>();
        foreach (var n in registered)
        {
            nodes.Add(new JobNodeInfo
            {
                Name = n.Name,
                ThisProcess = n.Name == self,
                Working = true,
                Concurrency = n.Concurrency,
                Queues = string.IsNullOrEmpty(n.RegisteredQueues) ? null : n.RegisteredQueues,
                StartedAt = n.StartedAt,
                LastSeen = n.HeartbeatAt,
                // By this process's clock, as NodesAsync judges.
                Silent = n.Silent,
                IsLeader = n.IsLeader,
                Running = RunningOn(n.Name),
            });
        }
        if (!nodes.Any(n => n.ThisProcess))
        {
            nodes.Add(new JobNodeInfo
            {
                Name = self,
                ThisProcess = true,
                Working = here.HasWorker,
                Concurrency = !here.HasWorker ? null : (worker.Value.Queues.Count == 0 ? worker.Value.Concurrency : worker.Value.Queues.Values.Sum()),
                Running = RunningOn(self),
            });
        }
        foreach (var (name, jobsRunning) in running.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (nodes.Any(n => n.Name == name)) continue;
            nodes.Add(new JobNodeInfo { Name = name, Working = true, Running = jobsRunning });
        }
        return [.. nodes.OrderByDescending(n => n.ThisProcess).ThenBy(n => n.Name, StringComparer.Ordinal)];
    }
}
