using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Leora.Jobs;

/// <summary>
/// This process's node as the queue sees it: its name, whether a long-running worker runs here, whether it holds the
/// maintenance leader's lease, whether its worker reaches the database, and how many jobs its worker runs now. One per
/// container; the worker and the leader elector keep it current, readiness checks and dashboards read it.
/// </summary>
public sealed class JobNodeState
{
    private volatile bool _isLeader;
    private volatile bool _databaseAvailable = true;
    private int _running;

    internal JobNodeState(string nodeName, bool hasWorker)
    {
        NodeName = nodeName;
        HasWorker = hasWorker;
    }

    /// <summary>This node's name in the nodes table and the leader's lease (<see cref="JobsOptions.WorkerName"/>, or host and process id).</summary>
    public string NodeName { get; }

    /// <summary>Whether this host runs the long-running worker (<see cref="LeoraJobsBuilder.AddWorker"/>, with <see cref="JobWorkerOptions.Enabled"/>).</summary>
    public bool HasWorker { get; }

    /// <summary>Whether this node holds the maintenance leader's lease, as of its last election (false where no election runs).</summary>
    public bool IsLeader
    {
        get => _isLeader;
        internal set => _isLeader = value;
    }

    /// <summary>False while the worker cannot reach the database (for readiness checks); true again once a statement succeeds, and where no worker runs.</summary>
    public bool DatabaseAvailable
    {
        get => _databaseAvailable;
        internal set => _databaseAvailable = value;
    }

    /// <summary>Jobs the worker runs in this process now.</summary>
    public int RunningCount => Volatile.Read(ref _running);

    internal void JobStarted() => Interlocked.Increment(ref _running);

    internal void JobEnded() => Interlocked.Decrement(ref _running);

    // Whether a worker runs here is known from the registrations, before any hosted service starts: the PostgreSQL
    // listener asks at its own start, whichever of the two the host starts first.
    internal static JobNodeState Create(IServiceProvider services) => new(
        services.GetRequiredService<IOptions<JobsOptions>>().Value.EffectiveWorkerName,
        services.GetRequiredService<IOptions<JobWorkerOptions>>().Value.Enabled && services.GetService<Maintenance.WorkerRegistration>() is not null);
}
