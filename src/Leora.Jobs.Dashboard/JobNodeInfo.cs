namespace Leora.Jobs.Dashboard;

/// <summary>A worker node as the dashboard shows it: registered in the nodes table, running jobs, or this process.</summary>
public sealed record JobNodeInfo
{
    /// <summary>The node's worker name, as in <see cref="JobInfo.Worker"/>.</summary>
    public required string Name { get; init; }
    /// <summary>True for the process serving the dashboard.</summary>
    public bool ThisProcess { get; init; }
    /// <summary>True when a worker runs in the node (false for a process that only serves the dashboard or API).</summary>
    public bool Working { get; init; }
    /// <summary>How many jobs the node runs at once, when known.</summary>
    public int? Concurrency { get; init; }
    /// <summary>The queues the node serves, as it registered them (null: every queue, or not registered).</summary>
    public string? Queues { get; init; }
    /// <summary>When the node started, for a registered node.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When the node last heartbeat, for a registered node.</summary>
    public DateTimeOffset? LastSeen { get; init; }
    /// <summary>True when a registered node has missed several heartbeats: it may be dead or cut off.</summary>
    public bool Silent { get; init; }
    /// <summary>True for the node that holds the maintenance leader's lease.</summary>
    public bool IsLeader { get; init; }
    /// <summary>The jobs the node holds leases on now.</summary>
    public required IReadOnlyList<JobNodeRunningJob> Running { get; init; }
}
