namespace Leora.Jobs.Dashboard;

/// <summary>
/// Tells the dashboard which worker nodes are alive and what each is running. The default source reads the store's
/// nodes table and the jobs being processed, and adds this process; register another implementation before
/// <c>AddLeoraJobsDashboard</c> to show nodes from elsewhere.
/// </summary>
public interface IJobNodeSource
{
    /// <summary>The nodes known now, this process first.</summary>
    Task<IReadOnlyList<JobNodeInfo>> ListNodesAsync(CancellationToken cancellationToken);
}
