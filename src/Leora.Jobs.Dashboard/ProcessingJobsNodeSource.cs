using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs.Dashboard;

/// <summary>
/// The default <see cref="IJobNodeSource"/>: every worker that holds a lease now (from the processing jobs, which
/// the store indexes by status), and this process whether or not it runs anything. Idle nodes of other processes
/// are invisible to it; a store with node registration fills that gap.
/// </summary>
internal sealed class ProcessingJobsNodeSource(IJobClient client, IServiceProvider services, IOptions<JobsOptions> jobs, IOptions<JobWorkerOptions> worker)
    : IJobNodeSource
{
    // A bound on what one refresh reads; a deployment running more jobs at once than this sees the first ones.
    private const int MaxRunning = 1000;

    public async Task<IReadOnlyList<JobNodeInfo>> ListNodesAsync(CancellationToken cancellationToken)
    {
        var page = await client.ListAsync(new JobQuery { Status = JobStatus.Processing, Limit = MaxRunning, NewestFirst = false }, cancellationToken);
        // Same default as JobsOptions.EffectiveWorkerName (internal to the core): host name and process id.
        var self = jobs.Value.WorkerName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        var hostsWorker = services.GetService<JobWorker>() is not null && worker.Value.Enabled;
        var byWorker = page.Items
            .GroupBy(j => j.Worker ?? "(unknown)", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<JobNodeRunningJob>)[.. g.Select(j => new JobNodeRunningJob(j.Id, j.Type, j.Queue, j.Progress, j.StartedAt))], StringComparer.Ordinal);
        var nodes = new List<JobNodeInfo>
        {
            new()
            {
                Name = self,
                ThisProcess = true,
                Working = hostsWorker,
                Concurrency = hostsWorker ? (worker.Value.Queues.Count == 0 ? worker.Value.Concurrency : worker.Value.Queues.Values.Sum()) : null,
                Running = byWorker.TryGetValue(self, out var mine) ? mine : [],
            },
        };
        foreach (var (name, running) in byWorker.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name == self) continue;
            nodes.Add(new JobNodeInfo { Name = name, Working = true, Running = running });
        }
        return nodes;
    }
}
