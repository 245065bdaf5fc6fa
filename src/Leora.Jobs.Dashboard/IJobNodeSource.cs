namespace Leora.Jobs.Dashboard;

/// <summary>
/// Tells the dashboard which worker nodes are alive and what each is running. The default source derives nodes
/// from the jobs being processed (grouped by worker) plus this process; a store that registers nodes can replace it
/// by registering its own implementation before or after <c>AddLeoraJobsDashboard</c>.
/// </summary>
public interface IJobNodeSource
{
    /// <summary>The nodes known now, this process first.</summary>
    Task<IReadOnlyList<JobNodeInfo>> ListNodesAsync(CancellationToken cancellationToken);
}
